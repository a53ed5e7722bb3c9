"""API-key tokens on the wire (PROTOCOL.md §1.4): the header that carries them and their format.

A token reads ``msco_<payload>_<fingerprint>``: a 32-character payload of lowercase ASCII letters
and digits (at least one of each) and the CRC32 of that payload as 8 lowercase hex digits. The
fingerprint is the key's public name (status and revoke use it); the payload is the secret.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

__all__ = [
    "API_KEY_HEADER",
    "API_KEY_PREFIX",
    "ApiKeyToken",
    "api_key_fingerprint",
    "format_api_key",
    "is_valid_payload",
    "parse_api_key",
]

API_KEY_HEADER = "mosaico-api-key-token"
"""gRPC metadata header that carries the full token on every call (gRPC lowercases keys)."""

API_KEY_PREFIX = "msco"
"""First part of every token."""

_PAYLOAD = re.compile(r"[a-z0-9]{32}")
_FINGERPRINT = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class ApiKeyToken:
    """A token split in its parts; ``payload`` is the secret, ``fingerprint`` its public name."""

    payload: str
    fingerprint: str

    def __str__(self) -> str:
        return format_api_key(self.payload)


def api_key_fingerprint(payload: str) -> str:
    """The fingerprint of a payload: its CRC32 as 8 lowercase, zero-padded hex digits."""
    return f"{zlib.crc32(payload.encode('ascii')) & 0xFFFFFFFF:08x}"


def is_valid_payload(payload: str) -> bool:
    """Whether ``payload`` is 32 lowercase letters and digits with at least one of each."""
    return bool(_PAYLOAD.fullmatch(payload)) and not (payload.isdigit() or payload.isalpha())


def format_api_key(payload: str) -> str:
    """The full token of a payload: ``msco_<payload>_<fingerprint>``."""
    return f"{API_KEY_PREFIX}_{payload}_{api_key_fingerprint(payload)}"


def _check_payload(payload: str) -> None:
    if not _PAYLOAD.fullmatch(payload):
        raise ValueError(
            "invalid API key: the middle part must be 32 lowercase ASCII letters and digits"
        )
    if payload.isdigit() or payload.isalpha():
        raise ValueError(
            "invalid API key: the middle part must contain at least one letter and one digit"
        )


def parse_api_key(token: str) -> ApiKeyToken:
    """Split and check a token; `ValueError` says which part is malformed.

    The check is purely local (format and checksum); whether the server knows the key is
    another matter.
    """
    parts = token.split("_")
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise ValueError(
            "invalid API key: expected 'msco_<32 letters and digits>_<8 hex digits>' "
            "(copy the whole token printed when the key was created)"
        )
    _, payload, fingerprint = parts
    _check_payload(payload)
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ValueError("invalid API key: the last part must be 8 lowercase hex digits")
    if api_key_fingerprint(payload) != fingerprint:
        raise ValueError(
            "invalid API key: its checksum does not match; the token was altered or truncated"
        )
    return ApiKeyToken(payload=payload, fingerprint=fingerprint)
