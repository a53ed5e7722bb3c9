"""One Flight connection and the single place where Flight errors become smalto errors.

Every RPC the SDK makes goes through a `Channel`: it encodes requests from the protocol models,
decodes responses, and translates every pyarrow/Flight exception into the `smalto.errors` tree
(``raise mapped from exc``), so callers can write ``except SequenceNotFound``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
from pydantic import BaseModel

from smalto.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    SmaltoError,
    Unauthenticated,
    Unavailable,
)
from smalto.protocol.actions import ActionName, decode_response
from smalto.protocol.commands import FlightInfoCommand, PutCommand
from smalto.protocol.errors import from_flight_error

__all__ = ["Channel", "PutStream", "translate_flight_errors"]

_log = logging.getLogger(__name__)


def _fallback_error(exc: BaseException, address: str) -> SmaltoError:
    """A typed error for a Flight failure that carries no smalto code (e.g. a foreign server)."""
    text = str(exc)
    if isinstance(exc, flight.FlightUnavailableError):
        return Unavailable(f"the server at {address} is unavailable: {text}")
    if isinstance(exc, flight.FlightUnauthenticatedError):
        return Unauthenticated(f"the server at {address} refused the credentials: {text}")
    if isinstance(exc, flight.FlightUnauthorizedError):
        return PermissionDenied(f"the server at {address} denied the request: {text}")
    if isinstance(exc, pa.ArrowKeyError):
        return NotFound(text)
    if isinstance(exc, pa.ArrowInvalid):
        return InvalidRequest(text)
    return SmaltoError(f"request to {address} failed: {text}")


@contextmanager
def translate_flight_errors(address: str) -> Iterator[None]:
    """Re-raise pyarrow/Flight exceptions raised inside the block as `SmaltoError` subclasses.

    ``address`` (``host:port``) names the server in messages about unreachable servers.
    """
    try:
        yield
    except SmaltoError:
        raise
    except (flight.FlightError, pa.ArrowException) as exc:
        mapped = from_flight_error(exc)
        if isinstance(exc, flight.FlightUnavailableError) and not isinstance(mapped, Unavailable):
            mapped = Unavailable(f"the server at {address} is unavailable: {exc}")
        raise (mapped or _fallback_error(exc, address)) from exc


class PutStream:
    """An open DoPut upload of one topic; errors arrive as `SmaltoError`."""

    def __init__(self, writer: flight.FlightStreamWriter, address: str) -> None:
        self._writer = writer
        self._address = address
        self._closed = False

    def write(self, batch: pa.RecordBatch) -> None:
        """Send one record batch (blocks while gRPC flow control holds it back)."""
        with translate_flight_errors(self._address):
            self._writer.write_batch(batch)

    def close(self) -> None:
        """End the upload and wait for the server to commit it; raises the server's verdict."""
        if self._closed:
            return
        self._closed = True
        with translate_flight_errors(self._address):
            self._writer.done_writing()
            self._writer.close()

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._closed


class Channel:
    """A `FlightClient` to one server plus request/response encoding and error translation."""

    def __init__(self, client: flight.FlightClient, address: str) -> None:
        self._client = client
        self.address = address
        """``host:port`` of the server, for messages."""
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the connection to {self.address} is closed; connect again")

    def action(self, name: ActionName, request: BaseModel | Mapping[str, Any] | None = None) -> Any:
        """Run a DoAction and return its decoded ``response`` member (None when absent).

        ``request`` is a protocol model or, for bodies built key by key (``query``), a JSON
        object.
        """
        self._check_open()
        if isinstance(request, BaseModel):
            body = request.model_dump_json().encode()
        else:
            body = json.dumps(request or {}, separators=(",", ":")).encode()
        with translate_flight_errors(self.address):
            results = self._client.do_action(flight.Action(name.value, body))
            payload = b"".join(result.body.to_pybytes() for result in results)
        return decode_response(name.value, payload)

    def flight_info(self, command: FlightInfoCommand) -> flight.FlightInfo:
        """GetFlightInfo on a sequence or topic, with the optional time window of ``command``."""
        self._check_open()
        descriptor = flight.FlightDescriptor.for_command(command.model_dump_json(exclude_none=True))
        with translate_flight_errors(self.address):
            return self._client.get_flight_info(descriptor)

    def list_flights(self) -> list[flight.FlightInfo]:
        """Every FlightInfo ListFlights returns (one per sequence)."""
        self._check_open()
        with translate_flight_errors(self.address):
            return list(self._client.list_flights())

    def do_get(self, ticket: flight.Ticket) -> flight.FlightStreamReader:
        """Open a DoGet stream; read it through `translate_flight_errors` too."""
        self._check_open()
        with translate_flight_errors(self.address):
            return self._client.do_get(ticket)

    def do_put(self, command: PutCommand, schema: pa.Schema) -> PutStream:
        """Open the DoPut upload of one topic with the given data schema."""
        self._check_open()
        descriptor = flight.FlightDescriptor.for_command(command.model_dump_json())
        with translate_flight_errors(self.address):
            writer, _ = self._client.do_put(descriptor, schema)
        return PutStream(writer, self.address)

    def close(self) -> None:
        """Disconnect (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._client.close()
        except (flight.FlightError, pa.ArrowException) as exc:
            _log.debug("closing the connection to %s failed: %s", self.address, exc)
