"""The Arrow Flight service: thin dispatch to the handlers, errors mapped at the boundary."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pyarrow.flight as flight

from smalto.errors import SmaltoError
from smalto.protocol.actions import ActionName, encode_response
from smalto.protocol.errors import to_flight_error
from smalto.server.actions import ActionHandlers
from smalto.server.reads import Reads
from smalto.server.state import ServerState
from smalto.server.uploads import Uploads

__all__ = ["FlightService"]

log = logging.getLogger("smalto.server")

T = TypeVar("T")


def _guarded(what: str, call: Callable[[], T]) -> T:
    """Run ``call``; map smalto errors to Flight errors and hide internal ones behind INTERNAL."""
    try:
        return call()
    except SmaltoError as exc:
        log.info("%s refused: %s", what, exc)
        raise to_flight_error(exc) from None
    except flight.FlightError:
        raise
    except Exception as exc:
        log.exception("%s failed", what)
        raise flight.FlightInternalError(
            f"smalto[internal]: {what} failed on the server ({type(exc).__name__}); "
            "see the server log"
        ) from None


class FlightService(flight.FlightServerBase):  # type: ignore[misc]
    """Serves the Mosaico protocol over Arrow Flight."""

    def __init__(self, location: str, state: ServerState, **kwargs: Any) -> None:
        super().__init__(location, **kwargs)
        self.state = state
        self.actions = ActionHandlers(state)
        self.reads = Reads(state)
        self.uploads = Uploads(state)

    def list_flights(
        self, context: flight.ServerCallContext, criteria: bytes
    ) -> Iterator[flight.FlightInfo]:
        """One FlightInfo per sequence."""
        return iter(_guarded("ListFlights", lambda: list(self.reads.list_flights())))

    def get_flight_info(
        self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor
    ) -> flight.FlightInfo:
        """Describe a sequence or a topic."""
        return _guarded("GetFlightInfo", lambda: self.reads.flight_info(descriptor))

    def do_get(self, context: flight.ServerCallContext, ticket: flight.Ticket) -> Any:
        """Stream a topic's rows."""
        return _guarded("DoGet", lambda: self.reads.do_get(ticket.ticket))

    def do_put(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.FlightMetadataWriter,
    ) -> None:
        """Receive a topic upload."""
        _guarded("DoPut", lambda: self.uploads.receive(descriptor, reader))

    def do_action(
        self, context: flight.ServerCallContext, action: flight.Action
    ) -> Iterator[bytes]:
        """Run a JSON action; answer with exactly one ``{action, response}`` document."""
        name = action.type
        body = action.body.to_pybytes() if action.body is not None else b""
        response = _guarded(f"action {name!r}", lambda: self.actions.execute(name, body))
        return iter([encode_response(name, response)])

    def list_actions(self, context: flight.ServerCallContext) -> list[tuple[str, str]]:
        """The action names this server understands."""
        return [(a.value, "") for a in ActionName]
