"""API keys on the server: minting tokens, hashing payloads, authenticating a presented token.

Only a salted PBKDF2-HMAC-SHA256 hash of each payload is stored; a presented payload is hashed with
the row's salt and compared in constant time. Deriving the hash is deliberately slow, so the result
of a successful check is remembered per process (keyed by the row's hash and a SHA-256 of the
presented payload). The row itself is read on every call, so expiry and revocation, possibly done
by another replica, take effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import threading

from smalto.catalog import ApiKeyRecord, Catalog
from smalto.catalog.database import now_ns
from smalto.enums import APIKeyPermissionEnum
from smalto.errors import AlreadyExists, InvalidRequest, NotFound, Unauthenticated
from smalto.protocol.actions import ApiKeyStatus
from smalto.protocol.api_keys import (
    ApiKeyToken,
    api_key_fingerprint,
    format_api_key,
    is_valid_payload,
    parse_api_key,
)

__all__ = ["ApiKeyRing", "hash_payload", "mint_payload"]

_ALPHABET = string.ascii_lowercase + string.digits
_PBKDF2_ITERATIONS = 100_000
_SCHEME = f"pbkdf2_sha256${_PBKDF2_ITERATIONS}"
_MINT_ATTEMPTS = 16


def mint_payload() -> str:
    """A fresh random payload: 32 lowercase letters and digits, with at least one of each."""
    while True:
        payload = "".join(secrets.choice(_ALPHABET) for _ in range(32))
        if is_valid_payload(payload):
            return payload


def hash_payload(scheme: str, payload: str, salt: bytes) -> bytes:
    """The stored hash of ``payload`` under ``scheme`` (``pbkdf2_sha256$<iterations>``)."""
    name, _, rounds = scheme.partition("$")
    if name != "pbkdf2_sha256" or not rounds.isdigit():
        raise ValueError(f"unknown API-key hash scheme {scheme!r}")
    return hashlib.pbkdf2_hmac("sha256", payload.encode("ascii"), salt, int(rounds))


def _check_fingerprint(fingerprint: str) -> None:
    if len(fingerprint) != 8 or any(c not in "0123456789abcdef" for c in fingerprint):
        raise InvalidRequest(
            f"invalid API-key fingerprint {fingerprint[:40]!r}: use the last 8 hex digits of "
            "the token"
        )


class ApiKeyRing:
    """Creates, checks, describes and revokes API keys stored in the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._verified: dict[str, tuple[bytes, bytes]] = {}
        self._lock = threading.Lock()

    def create(
        self,
        permission: APIKeyPermissionEnum,
        description: str = "",
        expires_at_ns: int | None = None,
    ) -> str:
        """Store a new key and return its full token (shown once; only a hash is kept)."""
        created = now_ns()
        if expires_at_ns is not None and expires_at_ns <= created:
            raise InvalidRequest(
                f"expires_at_ns {expires_at_ns} is not in the future (now is {created} ns since "
                "the Unix epoch); omit it for a key that never expires"
            )
        for _ in range(_MINT_ATTEMPTS):
            payload = mint_payload()
            salt = secrets.token_bytes(16)
            record = ApiKeyRecord(
                fingerprint=api_key_fingerprint(payload),
                hash_scheme=_SCHEME,
                salt=salt,
                payload_hash=hash_payload(_SCHEME, payload, salt),
                permission=permission.value,
                description=description,
                created_at_ns=created,
                expires_at_ns=expires_at_ns,
            )
            try:
                self.catalog.add_api_key(record)
            except AlreadyExists:
                continue  # a CRC32 collision with an existing key: draw again
            return format_api_key(payload)
        raise AlreadyExists("could not mint an API key with a free fingerprint; try again")

    def authenticate(self, token: str | None) -> ApiKeyRecord:
        """The live key ``token`` stands for; `Unauthenticated` says why it is refused."""
        if not token:
            raise Unauthenticated(
                "this server requires an API key: pass api_key= to MosaicoClient.connect "
                "(or set MOSAICO_API_KEY); an administrator creates one with `smalto keys create`"
            )
        try:
            parsed = parse_api_key(token)
        except ValueError as exc:
            raise Unauthenticated(f"{exc}; the request was refused") from None
        record = self.catalog.find_api_key(parsed.fingerprint)
        if record is None or not self._payload_matches(record, parsed):
            raise Unauthenticated(
                f"API key {parsed.fingerprint!r} is not known to this server; ask an "
                "administrator for a valid key"
            )
        if record.revoked_at_ns is not None:
            raise Unauthenticated(f"API key {parsed.fingerprint!r} was revoked; use another key")
        if record.expired(now_ns()):
            raise Unauthenticated(
                f"API key {parsed.fingerprint!r} expired at {record.expires_at_ns} ns since the "
                "Unix epoch; ask an administrator for a new key"
            )
        return record

    def _payload_matches(self, record: ApiKeyRecord, token: ApiKeyToken) -> bool:
        presented = hashlib.sha256(token.payload.encode("ascii")).digest()
        with self._lock:
            known = self._verified.get(record.fingerprint)
        if (
            known is not None
            and hmac.compare_digest(known[0], record.payload_hash)
            and hmac.compare_digest(known[1], presented)
        ):
            return True
        try:
            derived = hash_payload(record.hash_scheme, token.payload, record.salt)
        except ValueError:
            return False
        if not hmac.compare_digest(derived, record.payload_hash):
            return False
        with self._lock:
            self._verified[record.fingerprint] = (record.payload_hash, presented)
        return True

    def _live(self, fingerprint: str) -> ApiKeyRecord:
        _check_fingerprint(fingerprint)
        record = self.catalog.find_api_key(fingerprint)
        if record is None:
            raise NotFound(f"no API key has fingerprint {fingerprint!r}")
        if record.revoked_at_ns is not None:
            raise NotFound(f"API key {fingerprint!r} was revoked")
        return record

    def status(self, fingerprint: str) -> ApiKeyStatus:
        """What the wire tells about a live key; `NotFound` for unknown or revoked keys."""
        record = self._live(fingerprint)
        return ApiKeyStatus(
            api_key_fingerprint=record.fingerprint,
            description=record.description,
            created_at_ns=record.created_at_ns,
            expires_at_ns=record.expires_at_ns,
        )

    def revoke(self, fingerprint: str) -> None:
        """Revoke a key at once; `NotFound` if no key has that fingerprint."""
        _check_fingerprint(fingerprint)
        self.catalog.revoke_api_key(fingerprint)
        with self._lock:
            self._verified.pop(fingerprint, None)

    def list(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        return self.catalog.list_api_keys()
