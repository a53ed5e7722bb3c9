"""API-key rows: add, look up, list and revoke (hashing and checking happen in the server).

A key is stored under its fingerprint with a salted hash of its payload, never the payload itself.
Revoking keeps the row (with ``revoked_at_ns``) so a revoked key is told apart from an unknown one
and its fingerprint is never handed out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from smalto.catalog import tables as t
from smalto.catalog.database import is_unique_violation, now_ns
from smalto.errors import AlreadyExists, NotFound

if TYPE_CHECKING:
    from smalto.catalog.database import Database

__all__ = ["ApiKeyRecord", "ApiKeyRegistry"]


@dataclass(frozen=True)
class ApiKeyRecord:
    """One API key; times are ns since the Unix epoch, ``permission`` a level name."""

    fingerprint: str
    hash_scheme: str
    salt: bytes
    payload_hash: bytes
    permission: str
    description: str
    created_at_ns: int
    expires_at_ns: int | None = None
    revoked_at_ns: int | None = None

    def expired(self, at_ns: int) -> bool:
        """Whether the key has expired at ``at_ns``."""
        return self.expires_at_ns is not None and self.expires_at_ns <= at_ns


def _record(row: Row[Any]) -> ApiKeyRecord:
    m = row._mapping
    return ApiKeyRecord(
        fingerprint=m["fingerprint"],
        hash_scheme=m["hash_scheme"],
        salt=bytes(m["salt"]),
        payload_hash=bytes(m["payload_hash"]),
        permission=m["permission"],
        description=m["description"],
        created_at_ns=m["created_at_ns"],
        expires_at_ns=m["expires_at_ns"],
        revoked_at_ns=m["revoked_at_ns"],
    )


class ApiKeyRegistry:
    """API-key bookkeeping; mixed into `Catalog`, which provides ``db``."""

    db: Database

    def add_api_key(self, record: ApiKeyRecord) -> None:
        """Store a new key; `AlreadyExists` if its fingerprint is taken (mint another one)."""
        values = {
            "fingerprint": record.fingerprint,
            "hash_scheme": record.hash_scheme,
            "salt": record.salt,
            "payload_hash": record.payload_hash,
            "permission": record.permission,
            "description": record.description,
            "created_at_ns": record.created_at_ns,
            "expires_at_ns": record.expires_at_ns,
            "revoked_at_ns": record.revoked_at_ns,
        }
        try:
            with self.db.write() as c:
                c.execute(insert(t.api_keys).values(**values))
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise AlreadyExists(
                f"an API key with fingerprint {record.fingerprint!r} already exists"
            ) from None

    def find_api_key(self, fingerprint: str) -> ApiKeyRecord | None:
        """The key with that fingerprint (revoked or not), or None."""
        with self.db.read() as c:
            query = select(t.api_keys).where(t.api_keys.c.fingerprint == fingerprint)
            row = c.execute(query).first()
        return None if row is None else _record(row)

    def list_api_keys(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        with self.db.read() as c:
            rows = c.execute(select(t.api_keys).order_by(t.api_keys.c.created_at_ns)).all()
        return [_record(row) for row in rows]

    def revoke_api_key(self, fingerprint: str) -> None:
        """Revoke a key now (idempotent); `NotFound` if no key has that fingerprint."""
        with self.db.write() as c:
            result = c.execute(
                update(t.api_keys)
                .where(
                    t.api_keys.c.fingerprint == fingerprint,
                    t.api_keys.c.revoked_at_ns.is_(None),
                )
                .values(revoked_at_ns=now_ns())
            )
            if result.rowcount == 1:
                return
            exists = c.execute(
                select(t.api_keys.c.fingerprint).where(t.api_keys.c.fingerprint == fingerprint)
            ).first()
        if exists is None:
            raise NotFound(
                f"no API key has fingerprint {fingerprint!r}; list keys with `smalto keys list`"
            )
