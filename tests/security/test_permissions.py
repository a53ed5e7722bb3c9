"""Every RPC and every action at every permission level: allowed at or above its level, else
PERMISSION_DENIED with nothing changed (PROTOCOL.md §1.4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from smalto.enums import APIKeyPermissionEnum as Level
from smalto.protocol.actions import ActionName
from smalto.protocol.permissions import ACTION_PERMISSIONS, RPC_PERMISSIONS, FlightRpc
from smalto.server import SmaltoServer
from tests.security.conftest import with_key
from tests.security.state import snapshot
from tests.server.wire import readings

EXPECTED_ACTIONS = {
    "version": "read",
    "query": "read",
    "topic_filter_clusterize": "read",
    "topic_filter_intersect": "read",
    "sequence_notification_list": "read",
    "topic_notification_list": "read",
    "sequence_create": "write",
    "session_create": "write",
    "session_finalize": "write",
    "topic_create": "write",
    "sequence_notification_create": "write",
    "topic_notification_create": "write",
    "sequence_delete": "delete",
    "session_delete": "delete",
    "topic_delete": "delete",
    "sequence_notification_purge": "delete",
    "topic_notification_purge": "delete",
    "sequence_unlock": "manage",
    "api_key_create": "manage",
    "api_key_status": "manage",
    "api_key_revoke": "manage",
}

BODIES: dict[str, Callable[[Level], dict[str, Any]]] = {
    "version": lambda _: {},
    "query": lambda _: {},
    "topic_filter_clusterize": lambda _: {},
    "topic_filter_intersect": lambda _: {},
    "sequence_create": lambda level: {"locator": f"new_{level.value}", "user_metadata": {}},
    "sequence_delete": lambda _: {"locator": "absent"},
    "sequence_unlock": lambda _: {"locator": "base"},
    "session_create": lambda _: {"locator": "base"},
    "session_finalize": lambda _: {"session_uuid": "no-such-session"},
    "session_delete": lambda _: {"session_uuid": "no-such-session"},
    "topic_create": lambda level: {
        "session_uuid": "no-such-session",
        "locator": f"base/{level.value}",
        "serialization_format": "default",
        "ontology_tag": "custom_reading",
        "user_metadata": {},
    },
    "topic_delete": lambda _: {"locator": "base/absent"},
    "sequence_notification_create": lambda _: {
        "locator": "base",
        "notification_type": "error",
        "msg": "m",
    },
    "sequence_notification_list": lambda _: {"locator": "base"},
    "sequence_notification_purge": lambda _: {"locator": "base"},
    "topic_notification_create": lambda _: {
        "locator": "base/done",
        "notification_type": "error",
        "msg": "m",
    },
    "topic_notification_list": lambda _: {"locator": "base/done"},
    "topic_notification_purge": lambda _: {"locator": "base/done"},
    "api_key_create": lambda _: {"permissions": "read", "description": "made by a test"},
    "api_key_status": lambda _: {"api_key_fingerprint": "00000000"},
    "api_key_revoke": lambda _: {"api_key_fingerprint": "00000000"},
}


def act(client: flight.FlightClient, token: str, name: str, body: dict[str, Any]) -> Any:
    raw = json.dumps(body).encode()
    results = list(client.do_action(flight.Action(name, raw), with_key(token)))
    return json.loads(results[0].body.to_pybytes())["response"]


@pytest.fixture
def world(raw_client: flight.FlightClient, tokens: dict[Level, str]) -> str:
    """Sequence ``base`` with an uploaded topic ``done``; returns its topic uuid."""
    manage = tokens[Level.Manage]
    act(raw_client, manage, "sequence_create", {"locator": "base", "user_metadata": {}})
    session = act(raw_client, manage, "session_create", {"locator": "base"})["uuid"]
    topic = act(raw_client, manage, "topic_create", BODIES["topic_create"](Level.Read) | {
        "session_uuid": session, "locator": "base/done"
    })["uuid"]  # fmt: skip
    put(raw_client, manage, topic)
    return str(topic)


def put(client: flight.FlightClient, token: str, topic_uuid: str) -> None:
    command = json.dumps({"resource_locator": "base/done", "topic_uuid": topic_uuid}).encode()
    batch = readings([1, 2, 3])
    writer, _ = client.do_put(
        flight.FlightDescriptor.for_command(command), batch.schema, with_key(token)
    )
    writer.write_batch(batch)
    writer.done_writing()
    writer.close()


def check(
    server: SmaltoServer, level: Level, required: Level, what: str, call: Callable[[], object]
) -> None:
    """``call`` is refused (PERMISSION_DENIED, nothing changed) iff ``level`` < ``required``."""
    if level.allows(required):
        try:
            call()
        except (flight.FlightUnauthorizedError, flight.FlightUnauthenticatedError) as exc:
            pytest.fail(f"{what} with a {level.value} key was refused: {exc}")
        except (pa.ArrowException, flight.FlightError):
            pass  # allowed through: any other verdict is about the request itself
        return
    before = snapshot(server.settings)
    with pytest.raises(flight.FlightUnauthorizedError, match=rf"'{required.value}' permission"):
        call()
    assert snapshot(server.settings) == before, f"{what} denied to {level.value} changed state"


def test_the_permission_table_is_protocol_section_1_4() -> None:
    assert {a.value: p.value for a, p in ACTION_PERMISSIONS.items()} == EXPECTED_ACTIONS
    assert set(ACTION_PERMISSIONS) == set(ActionName), "every action needs a permission"
    assert {r.value: p.value for r, p in RPC_PERMISSIONS.items()} == {
        "ListFlights": "read",
        "GetFlightInfo": "read",
        "DoGet": "read",
        "DoPut": "write",
    }


@pytest.mark.parametrize("name", sorted(EXPECTED_ACTIONS))
def test_action_at_every_level(
    keyed_server: SmaltoServer,
    raw_client: flight.FlightClient,
    tokens: dict[Level, str],
    world: str,
    name: str,
) -> None:
    required = Level(EXPECTED_ACTIONS[name])
    for level in Level:
        body = BODIES[name](level)
        check(
            keyed_server,
            level,
            required,
            f"action {name!r}",
            lambda: act(raw_client, tokens[level], name, body),  # noqa: B023
        )


@pytest.mark.parametrize("rpc", list(FlightRpc), ids=lambda r: r.value)
def test_rpc_at_every_level(
    keyed_server: SmaltoServer,
    raw_client: flight.FlightClient,
    tokens: dict[Level, str],
    world: str,
    rpc: FlightRpc,
) -> None:
    manage = with_key(tokens[Level.Manage])
    descriptor = flight.FlightDescriptor.for_command(json.dumps({"resource_locator": "base/done"}))
    ticket = raw_client.get_flight_info(descriptor, manage).endpoints[0].ticket
    calls: dict[FlightRpc, Callable[[str], object]] = {
        FlightRpc.LIST_FLIGHTS: lambda t: list(raw_client.list_flights(b"", with_key(t))),
        FlightRpc.GET_FLIGHT_INFO: lambda t: raw_client.get_flight_info(descriptor, with_key(t)),
        FlightRpc.DO_GET: lambda t: raw_client.do_get(ticket, with_key(t)).read_all(),
        FlightRpc.DO_PUT: lambda t: put(raw_client, t, world),  # locked topic: refused if allowed
    }
    for level in Level:
        check(
            keyed_server,
            level,
            RPC_PERMISSIONS[rpc],
            rpc.value,
            lambda: calls[rpc](tokens[level]),  # noqa: B023
        )
