"""Who is calling: the Flight middleware that authenticates the API-key header of every call.

With enforcement off (the default) every call runs as ``manage`` and the header is ignored. With
``--require-api-key`` a call without a live key is refused before any handler runs
(UNAUTHENTICATED), and each handler then checks the caller's level with `authorize`
(PERMISSION_DENIED when it is too low).
"""

from __future__ import annotations

import logging

import pyarrow.flight as flight

from smalto.enums import APIKeyPermissionEnum
from smalto.errors import PermissionDenied, SmaltoError
from smalto.protocol.api_keys import API_KEY_HEADER
from smalto.protocol.errors import to_flight_error
from smalto.server.api_keys import ApiKeyRing

__all__ = ["AUTH_MIDDLEWARE", "ApiKeyAuthFactory", "Caller", "authorize"]

AUTH_MIDDLEWARE = "smalto-auth"
"""Key under which the caller middleware is registered on the Flight server."""

log = logging.getLogger("smalto.server")


class Caller(flight.ServerMiddleware):
    """The authenticated caller of one call: its permission level and key fingerprint."""

    def __init__(self, permission: APIKeyPermissionEnum, fingerprint: str | None) -> None:
        super().__init__()
        self.permission = permission
        self.fingerprint = fingerprint
        """None when enforcement is off (no key involved)."""


def _header_token(headers: dict[str, list[str] | list[bytes]]) -> str | None:
    """The one API-key header value as text; None when absent, empty or undecodable."""
    values = headers.get(API_KEY_HEADER) or []
    if len(values) != 1:
        return None
    value = values[0]
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    return value.strip() or None


class ApiKeyAuthFactory(flight.ServerMiddlewareFactory):
    """Authenticates every call (when ``required``) and hands the handlers a `Caller`."""

    def __init__(self, keys: ApiKeyRing, required: bool) -> None:
        super().__init__()
        self.keys = keys
        self.required = required

    def start_call(
        self, info: flight.CallInfo, headers: dict[str, list[str] | list[bytes]]
    ) -> flight.ServerMiddleware | None:
        """Called by pyarrow before each call; raising refuses the call."""
        if not self.required:
            return Caller(APIKeyPermissionEnum.Manage, None)
        try:
            record = self.keys.authenticate(_header_token(headers))
        except SmaltoError as exc:
            log.info("%s refused: %s", info.method, exc)
            raise to_flight_error(exc) from None
        except Exception as exc:
            log.exception("authenticating %s failed", info.method)
            raise flight.FlightInternalError(
                f"smalto[internal]: checking the API key failed on the server "
                f"({type(exc).__name__}); see the server log"
            ) from None
        return Caller(APIKeyPermissionEnum(record.permission), record.fingerprint)


def authorize(context: flight.ServerCallContext, required: APIKeyPermissionEnum, what: str) -> None:
    """Raise `PermissionDenied` unless the caller of ``context`` has at least ``required``."""
    caller = context.get_middleware(AUTH_MIDDLEWARE)
    if not isinstance(caller, Caller):
        raise PermissionDenied(f"{what} needs an authenticated caller")
    if not caller.permission.allows(required):
        raise PermissionDenied(
            f"{what} needs an API key with '{required.value}' permission; key "
            f"{caller.fingerprint!r} has '{caller.permission.value}' (ask an administrator "
            "for a key with a higher level)"
        )
