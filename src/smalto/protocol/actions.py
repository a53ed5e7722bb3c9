"""DoAction names, request bodies and the response envelope (PROTOCOL.md §2).

A request body is one JSON object; a response is one JSON document ``{action, response}``.
Request models forbid unknown keys and are validated in strict JSON mode, so a wrong type or a
typo is refused with the offending key named, before anything changes.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from smalto.enums import NotifyType, SerializationFormat
from smalto.errors import InvalidRequest

__all__ = [
    "ActionName",
    "ActionRequest",
    "LocatorRequest",
    "Notification",
    "NotificationCreateRequest",
    "NotificationListResponse",
    "SequenceCreateRequest",
    "SessionRequest",
    "TopicCreateRequest",
    "UuidResponse",
    "VersionResponse",
    "decode_request",
    "decode_response",
    "encode_response",
]


class ActionName(str, Enum):
    """Every DoAction type the server understands."""

    VERSION = "version"
    SEQUENCE_CREATE = "sequence_create"
    SEQUENCE_DELETE = "sequence_delete"
    SESSION_CREATE = "session_create"
    SESSION_FINALIZE = "session_finalize"
    SESSION_DELETE = "session_delete"
    TOPIC_CREATE = "topic_create"
    TOPIC_DELETE = "topic_delete"
    SEQUENCE_NOTIFICATION_CREATE = "sequence_notification_create"
    SEQUENCE_NOTIFICATION_LIST = "sequence_notification_list"
    SEQUENCE_NOTIFICATION_PURGE = "sequence_notification_purge"
    TOPIC_NOTIFICATION_CREATE = "topic_notification_create"
    TOPIC_NOTIFICATION_LIST = "topic_notification_list"
    TOPIC_NOTIFICATION_PURGE = "topic_notification_purge"

    @classmethod
    def parse(cls, name: str) -> ActionName:
        """The action called ``name``, or `InvalidRequest` listing the known ones."""
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(sorted(a.value for a in cls))
            raise InvalidRequest(f"unknown action {name!r}; known actions: {known}") from None


class ActionRequest(BaseModel):
    """Base of request bodies: strict types, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EmptyRequest(ActionRequest):
    """A body with no keys (``version``)."""


class LocatorRequest(ActionRequest):
    """A body naming one sequence or topic by locator."""

    locator: str


class SequenceCreateRequest(ActionRequest):
    """``sequence_create``: a new sequence with its user metadata."""

    locator: str
    user_metadata: dict[str, JsonValue] = Field(default_factory=dict)


class SessionRequest(ActionRequest):
    """``session_finalize`` / ``session_delete``: one session by uuid."""

    session_uuid: str


class TopicCreateRequest(ActionRequest):
    """``topic_create``: a topic in an open session."""

    session_uuid: str
    locator: str
    serialization_format: SerializationFormat
    ontology_tag: str
    user_metadata: dict[str, JsonValue] = Field(default_factory=dict)


class NotificationCreateRequest(ActionRequest):
    """``*_notification_create``: attach a message to a sequence or topic."""

    locator: str
    notification_type: NotifyType
    msg: str


class UuidResponse(BaseModel):
    """``session_create`` / ``topic_create`` answer: only ``uuid`` (the 0.3.2 client is strict)."""

    uuid: str


class Notification(BaseModel):
    """One notification as listed on the wire; ``created_datetime`` is ISO 8601 in UTC."""

    name: str
    notification_type: NotifyType
    msg: str
    created_datetime: str


class NotificationListResponse(BaseModel):
    """``*_notification_list`` response."""

    notifications: list[Notification]


class SemVer(BaseModel):
    """A semantic version split in parts."""

    major: int
    minor: int
    patch: int
    pre: str = ""


class VersionResponse(BaseModel):
    """``version`` response."""

    version: str
    semver: SemVer


_REQUEST_MODELS: dict[ActionName, type[ActionRequest]] = {
    ActionName.VERSION: EmptyRequest,
    ActionName.SEQUENCE_CREATE: SequenceCreateRequest,
    ActionName.SEQUENCE_DELETE: LocatorRequest,
    ActionName.SESSION_CREATE: LocatorRequest,
    ActionName.SESSION_FINALIZE: SessionRequest,
    ActionName.SESSION_DELETE: SessionRequest,
    ActionName.TOPIC_CREATE: TopicCreateRequest,
    ActionName.TOPIC_DELETE: LocatorRequest,
    ActionName.SEQUENCE_NOTIFICATION_CREATE: NotificationCreateRequest,
    ActionName.SEQUENCE_NOTIFICATION_LIST: LocatorRequest,
    ActionName.SEQUENCE_NOTIFICATION_PURGE: LocatorRequest,
    ActionName.TOPIC_NOTIFICATION_CREATE: NotificationCreateRequest,
    ActionName.TOPIC_NOTIFICATION_LIST: LocatorRequest,
    ActionName.TOPIC_NOTIFICATION_PURGE: LocatorRequest,
}

RequestT = TypeVar("RequestT", bound=ActionRequest)


def _describe_validation_error(action: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(f"{where}: {error['msg']}")
    return f"invalid body for action {action!r}: " + "; ".join(problems)


def decode_request(action: ActionName, body: bytes) -> ActionRequest:
    """Parse and validate the JSON body of ``action``; `InvalidRequest` says what is wrong."""
    model = _REQUEST_MODELS.get(action)
    if model is None:
        raise InvalidRequest(f"action {action.value!r} has no typed request body")
    return decode_body(action.value, body or b"{}", model)


def decode_body(action: str, body: bytes, model: type[RequestT]) -> RequestT:
    """Validate ``body`` (UTF-8 JSON) as ``model``, mapping every failure to `InvalidRequest`."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidRequest(_describe_validation_error(action, exc)) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidRequest(f"body of action {action!r} is not valid JSON: {exc}") from None


def encode_response(action: str, response: BaseModel | dict[str, Any] | None) -> bytes:
    """The one JSON document a DoAction answers with: ``{"action": …, "response": …}``."""
    payload = response.model_dump(mode="json") if isinstance(response, BaseModel) else response
    return json.dumps({"action": action, "response": payload}, separators=(",", ":")).encode()


def decode_response(action: str, body: bytes) -> Any:
    """The ``response`` member of an action result, or None when the action answers nothing."""
    if not body:
        return None
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidRequest(f"server answered {action!r} with invalid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("action") != action:
        return None
    return document.get("response")
