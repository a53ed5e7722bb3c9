"""Which API-key permission each RPC and action needs (PROTOCOL.md §1.4).

Levels are strictly ordered, read < write < delete < manage; a key may do what its level and every
lower level grant. ``sequence_unlock`` is smalto's own action and needs ``manage``: unlocking
makes finalized data deletable again, an administrator's decision.
"""

from __future__ import annotations

from enum import Enum

from smalto.enums import APIKeyPermissionEnum
from smalto.protocol.actions import ActionName

__all__ = ["ACTION_PERMISSIONS", "RPC_PERMISSIONS", "FlightRpc", "required_permission"]

_READ = APIKeyPermissionEnum.Read
_WRITE = APIKeyPermissionEnum.Write
_DELETE = APIKeyPermissionEnum.Delete
_MANAGE = APIKeyPermissionEnum.Manage


class FlightRpc(str, Enum):
    """The Flight RPCs the server implements."""

    LIST_FLIGHTS = "ListFlights"
    GET_FLIGHT_INFO = "GetFlightInfo"
    DO_GET = "DoGet"
    DO_PUT = "DoPut"


RPC_PERMISSIONS: dict[FlightRpc, APIKeyPermissionEnum] = {
    FlightRpc.LIST_FLIGHTS: _READ,
    FlightRpc.GET_FLIGHT_INFO: _READ,
    FlightRpc.DO_GET: _READ,
    FlightRpc.DO_PUT: _WRITE,
}
"""The level each RPC needs (DoAction depends on the action, see `ACTION_PERMISSIONS`)."""

ACTION_PERMISSIONS: dict[ActionName, APIKeyPermissionEnum] = {
    ActionName.VERSION: _READ,
    ActionName.SEQUENCE_NOTIFICATION_LIST: _READ,
    ActionName.TOPIC_NOTIFICATION_LIST: _READ,
    ActionName.QUERY: _READ,
    ActionName.TOPIC_FILTER_CLUSTERIZE: _READ,
    ActionName.TOPIC_FILTER_INTERSECT: _READ,
    ActionName.SEQUENCE_CREATE: _WRITE,
    ActionName.SESSION_CREATE: _WRITE,
    ActionName.SESSION_FINALIZE: _WRITE,
    ActionName.TOPIC_CREATE: _WRITE,
    ActionName.SEQUENCE_NOTIFICATION_CREATE: _WRITE,
    ActionName.TOPIC_NOTIFICATION_CREATE: _WRITE,
    ActionName.SEQUENCE_DELETE: _DELETE,
    ActionName.SESSION_DELETE: _DELETE,
    ActionName.TOPIC_DELETE: _DELETE,
    ActionName.SEQUENCE_NOTIFICATION_PURGE: _DELETE,
    ActionName.TOPIC_NOTIFICATION_PURGE: _DELETE,
    ActionName.SEQUENCE_UNLOCK: _MANAGE,
    ActionName.API_KEY_CREATE: _MANAGE,
    ActionName.API_KEY_STATUS: _MANAGE,
    ActionName.API_KEY_REVOKE: _MANAGE,
}
"""The level each action needs."""


def required_permission(action: ActionName) -> APIKeyPermissionEnum:
    """The level ``action`` needs; an action missing from the table needs ``manage``."""
    return ACTION_PERMISSIONS.get(action, _MANAGE)
