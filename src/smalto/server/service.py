"""The Arrow Flight service: thin dispatch to the handlers, errors mapped at the boundary.

Every RPC and action first checks the caller's API-key level (`smalto.server.auth`) against the
table in `smalto.protocol.permissions`; with enforcement off every caller is ``manage``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pyarrow.flight as flight

from smalto.errors import SmaltoError
from smalto.protocol.actions import ActionName, encode_response
from smalto.protocol.errors import to_flight_error
from smalto.protocol.permissions import RPC_PERMISSIONS, FlightRpc, required_permission
from smalto.server.actions import ActionHandlers
from smalto.server.api_keys import ApiKeyRing
from smalto.server.auth import AUTH_MIDDLEWARE, ApiKeyAuthFactory, authorize
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


def _authorize(context: flight.ServerCallContext, rpc: FlightRpc) -> None:
    authorize(context, RPC_PERMISSIONS[rpc], rpc.value)


class FlightService(flight.FlightServerBase):
    """Serves the Mosaico protocol over Arrow Flight."""

    def __init__(self, location: str, state: ServerState, **kwargs: Any) -> None:
        self.keys = ApiKeyRing(state.catalog)
        auth = ApiKeyAuthFactory(self.keys, required=state.settings.require_api_key)
        super().__init__(location, middleware={AUTH_MIDDLEWARE: auth}, **kwargs)
        self.state = state
        self.actions = ActionHandlers(state, self.keys)
        self.reads = Reads(state)
        self.uploads = Uploads(state)

    def list_flights(
        self, context: flight.ServerCallContext, criteria: str
    ) -> Iterator[flight.FlightInfo]:
        """One FlightInfo per sequence."""

        def run() -> list[flight.FlightInfo]:
            _authorize(context, FlightRpc.LIST_FLIGHTS)
            return list(self.reads.list_flights())

        return iter(_guarded("ListFlights", run))

    def get_flight_info(
        self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor
    ) -> flight.FlightInfo:
        """Describe a sequence or a topic."""

        def run() -> flight.FlightInfo:
            _authorize(context, FlightRpc.GET_FLIGHT_INFO)
            return self.reads.flight_info(descriptor)

        return _guarded("GetFlightInfo", run)

    def do_get(self, context: flight.ServerCallContext, ticket: flight.Ticket) -> Any:
        """Stream a topic's rows."""

        def run() -> Any:
            _authorize(context, FlightRpc.DO_GET)
            return self.reads.do_get(ticket.ticket)

        return _guarded("DoGet", run)

    def do_put(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.FlightMetadataWriter,
    ) -> None:
        """Receive a topic upload."""

        def run() -> None:
            _authorize(context, FlightRpc.DO_PUT)
            self.uploads.receive(descriptor, reader)

        _guarded("DoPut", run)

    def do_action(
        self, context: flight.ServerCallContext, action: flight.Action
    ) -> Iterator[bytes]:
        """Run a JSON action; answer with exactly one ``{action, response}`` document."""
        name = action.type
        body = action.body.to_pybytes() if action.body is not None else b""

        def run() -> Any:
            action_name = ActionName.parse(name)
            authorize(context, required_permission(action_name), f"action {name!r}")
            return self.actions.execute(name, body)

        response = _guarded(f"action {name!r}", run)
        return iter([encode_response(name, response)])
