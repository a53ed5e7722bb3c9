"""Building action request bodies from user-supplied values, with clear errors."""

from __future__ import annotations

import json
from typing import TypeVar

from smalto.errors import InvalidRequest
from smalto.protocol.actions import ActionName, ActionRequest, decode_body

__all__ = ["build_request"]

_R = TypeVar("_R", bound=ActionRequest)


def build_request(model: type[_R], action: ActionName, **fields: object) -> _R:
    """Validate ``fields`` as ``model`` exactly as the server will read them (JSON round trip).

    Values that JSON cannot carry (sets, datetimes, objects …) raise `InvalidRequest` naming the
    action, before anything is sent.
    """
    try:
        body = json.dumps(fields, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"cannot send {action.value!r}: the values must be plain JSON "
            f"(dict, list, str, int, float, bool, None): {exc}"
        ) from None
    return decode_body(action.value, body, model)
