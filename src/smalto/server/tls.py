"""TLS and mutual TLS for the Flight server, from the PEM files the settings name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smalto.errors import InvalidRequest
from smalto.server.settings import ServerSettings

__all__ = ["tls_options"]


def _read_pem(path: Path, what: str, option: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRequest(f"cannot read the {what} {str(path)!r} ({option}): {exc}") from exc
    if b"-----BEGIN " not in data:
        raise InvalidRequest(f"the {what} {str(path)!r} ({option}) is not a PEM file")
    return data


def tls_options(settings: ServerSettings) -> dict[str, Any]:
    """Keyword arguments of ``FlightServerBase`` for the settings' TLS set-up (none without TLS).

    With a client CA the server verifies client certificates against it (mutual TLS): a client
    without a certificate that chains to it cannot complete the handshake.
    """
    if settings.tls_cert is None or settings.tls_key is None:
        return {}
    cert = _read_pem(settings.tls_cert, "TLS certificate", "--tls-cert")
    key = _read_pem(settings.tls_key, "TLS private key", "--tls-key")
    options: dict[str, Any] = {"tls_certificates": [(cert, key)]}
    if settings.tls_client_ca is not None:
        options["verify_client"] = True
        options["root_certificates"] = _read_pem(
            settings.tls_client_ca, "client CA bundle", "--tls-client-ca"
        )
    return options
