"""API-key tokens on the client side: local format check and the header sent on every call.

The token format and the header name are the wire contract (`smalto.protocol.api_keys`); this
module checks a token before any traffic and attaches it to every call of a `FlightClient`.
"""

from __future__ import annotations

import pyarrow.flight as flight

from smalto.protocol.api_keys import API_KEY_HEADER, api_key_fingerprint, parse_api_key

__all__ = [
    "API_KEY_HEADER",
    "ApiKeyMiddleware",
    "ApiKeyMiddlewareFactory",
    "api_key_fingerprint",
    "validate_api_key",
]


def validate_api_key(token: str) -> str:
    """Check the token's format locally and return its fingerprint; `ValueError` if malformed.

    Nothing is sent to the server: a typo is caught before the first call.
    """
    return parse_api_key(token).fingerprint


class ApiKeyMiddleware(flight.ClientMiddleware):
    """Adds the API-key header to one call."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def sending_headers(self) -> dict[str, list[str] | list[bytes]]:
        """The headers added to the outgoing call."""
        return {API_KEY_HEADER: [self._token]}


class ApiKeyMiddlewareFactory(flight.ClientMiddlewareFactory):
    """Attaches `ApiKeyMiddleware` to every call of a `FlightClient`."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def start_call(self, info: flight.CallInfo) -> flight.ClientMiddleware | None:
        """Called by pyarrow at the start of each call."""
        return ApiKeyMiddleware(self._token)
