"""How to reach a server (address, TLS roots, API key) and how to open a ready connection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight

from smalto.client.api_key import ApiKeyMiddlewareFactory, validate_api_key
from smalto.client.transport import Channel, translate_flight_errors
from smalto.errors import SmaltoError, Unavailable

__all__ = ["ConnectionConfig", "open_channel"]


@dataclass(frozen=True)
class ConnectionConfig:
    """Everything needed to open one more connection to the same server.

    ``timeout`` is the readiness wait in seconds; ``tls_root_certs`` is PEM text (TLS is on
    exactly when it is set); ``tls_client_cert``/``tls_client_key`` are the PEM certificate and
    key presented for mutual TLS; ``api_key`` is a token already checked by `validate_api_key`.
    """

    host: str
    port: int
    timeout: float = 5
    tls_root_certs: str | None = None
    api_key: str | None = None
    tls_client_cert: str | None = None
    tls_client_key: str | None = None

    @classmethod
    def build(
        cls,
        host: str,
        port: int,
        timeout: float,
        tls_cert_path: str | Path | None,
        api_key: str | None,
        tls_client_cert_path: str | Path | None = None,
        tls_client_key_path: str | Path | None = None,
    ) -> ConnectionConfig:
        """Validate the user's arguments (before any network traffic) and read the PEM files."""
        if api_key is not None:
            validate_api_key(api_key)
        if (tls_client_cert_path is None) != (tls_client_key_path is None):
            raise ValueError("mutual TLS needs both tls_client_cert_path and tls_client_key_path")
        if tls_client_cert_path is not None and tls_cert_path is None:
            raise ValueError(
                "a client certificate is only sent over TLS: also pass tls_cert_path "
                "(the PEM roots that sign the server's certificate)"
            )
        return cls(
            host=host,
            port=port,
            timeout=timeout,
            tls_root_certs=_read_pem(tls_cert_path),
            api_key=api_key,
            tls_client_cert=_read_pem(tls_client_cert_path),
            tls_client_key=_read_pem(tls_client_key_path),
        )

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        """``grpc://host:port``, or ``grpc+tls://host:port`` when TLS roots are configured."""
        scheme = "grpc+tls" if self.tls_root_certs is not None else "grpc"
        return f"{scheme}://{self.address}"


def _read_pem(path: str | Path | None) -> str | None:
    return Path(path).read_text() if path is not None else None


def _flight_client(config: ConnectionConfig) -> flight.FlightClient:
    middleware: list[flight.ClientMiddlewareFactory] | None = (
        [ApiKeyMiddlewareFactory(config.api_key)] if config.api_key else None
    )
    if config.tls_root_certs is None:
        return flight.FlightClient(config.uri, middleware=middleware)
    if config.tls_client_cert is not None and config.tls_client_key is not None:
        return flight.FlightClient(
            config.uri,
            tls_root_certs=config.tls_root_certs,
            cert_chain=config.tls_client_cert,
            private_key=config.tls_client_key,
            middleware=middleware,
        )
    return flight.FlightClient(
        config.uri, tls_root_certs=config.tls_root_certs, middleware=middleware
    )


def open_channel(config: ConnectionConfig) -> Channel:
    """Connect and wait until the server answers; `ConnectionError` if it does not in time.

    Readiness is pyarrow's ``wait_for_available``: ListFlights is retried every 25 ms while the
    server is unavailable, for at most ``config.timeout`` seconds. Any other failure (e.g. an
    API key the server refuses) is not retried.
    """
    try:
        client = _flight_client(config)
    except (flight.FlightError, pa.ArrowException) as exc:
        raise ConnectionError(f"cannot open a connection to {config.uri}: {exc}") from exc
    channel = Channel(client, config.address)
    try:
        with translate_flight_errors(config.address):
            client.wait_for_available(timeout=config.timeout)  # type: ignore[arg-type]
    except Unavailable as exc:
        channel.close()
        raise ConnectionError(
            f"the smalto server at {config.uri} did not answer within {config.timeout} s"
        ) from exc
    except SmaltoError as exc:
        channel.close()
        raise ConnectionError(
            f"the smalto server at {config.uri} refused to connect: {exc}"
        ) from exc
    return channel
