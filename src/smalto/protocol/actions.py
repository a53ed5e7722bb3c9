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

from smalto.enums import APIKeyPermissionEnum, NotifyType, SerializationFormat
from smalto.errors import InvalidRequest

__all__ = [
    "ActionName",
    "ActionRequest",
    "ApiKeyCreateRequest",
    "ApiKeyCreateResponse",
    "ApiKeyFingerprintRequest",
    "ApiKeyStatus",
    "ClusterizeRequest",
    "IntersectRequest",
    "IntersectTopic",
    "LocatorRequest",
    "Notification",
    "NotificationCreateRequest",
    "NotificationListResponse",
    "QueryRequest",
    "SequenceCreateRequest",
    "SessionRequest",
    "TimeWindow",
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
    SEQUENCE_UNLOCK = "sequence_unlock"
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
    API_KEY_CREATE = "api_key_create"
    API_KEY_STATUS = "api_key_status"
    API_KEY_REVOKE = "api_key_revoke"
    QUERY = "query"
    TOPIC_FILTER_CLUSTERIZE = "topic_filter_clusterize"
    TOPIC_FILTER_INTERSECT = "topic_filter_intersect"

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


class ApiKeyCreateRequest(ActionRequest):
    """``api_key_create``: a new key; ``expires_at_ns`` is ns since the Unix epoch (None: never)."""

    permissions: APIKeyPermissionEnum
    description: str = ""
    expires_at_ns: int | None = None


class ApiKeyFingerprintRequest(ActionRequest):
    """``api_key_status`` / ``api_key_revoke``: one key by its fingerprint (8 hex digits)."""

    api_key_fingerprint: str


class QueryRequest(ActionRequest):
    """``query``: up to three filters, ANDed (PROTOCOL.md §5.1; parsed by `protocol.query`)."""

    sequence: dict[str, JsonValue] | None = None
    topic: dict[str, JsonValue] | None = None
    ontology: dict[str, JsonValue] | None = None


class TimeWindow(ActionRequest):
    """A time window in ns since the Unix epoch: start inclusive, end exclusive (None: open)."""

    start_ns: int | None = None
    end_ns: int | None = None


class ClusterizeRequest(ActionRequest):
    """``topic_filter_clusterize`` (smalto): runs of one topic's matching rows.

    ``clustering_dt_ns`` is the largest gap, in ns, between consecutive rows of one run.
    """

    locator: str
    clustering_dt_ns: int = Field(ge=0)
    ontology: dict[str, JsonValue] = Field(default_factory=dict)
    timestamp_range: TimeWindow | None = None


class IntersectTopic(ActionRequest):
    """One topic of ``topic_filter_intersect``: its locator, run gap (ns) and conditions."""

    locator: str
    clustering_dt_ns: int = Field(ge=0)
    ontology: dict[str, JsonValue] = Field(default_factory=dict)


class IntersectRequest(ActionRequest):
    """``topic_filter_intersect`` (smalto): times where every topic has a run of matches.

    ``intersect_dt_ns`` widens every run by that many ns on both sides before intersecting.
    """

    topics: list[IntersectTopic] = Field(min_length=1, max_length=64)
    intersect_dt_ns: int = Field(default=0, ge=0)


class ApiKeyCreateResponse(BaseModel):
    """``api_key_create`` answer: the full token, shown once (only a hash is stored)."""

    api_key_token: str


class ApiKeyStatus(BaseModel):
    """``api_key_status`` answer; times in ns since the Unix epoch (no expiry: None)."""

    api_key_fingerprint: str
    description: str
    created_at_ns: int
    expires_at_ns: int | None


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
    ActionName.SEQUENCE_UNLOCK: LocatorRequest,
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
    ActionName.API_KEY_CREATE: ApiKeyCreateRequest,
    ActionName.API_KEY_STATUS: ApiKeyFingerprintRequest,
    ActionName.API_KEY_REVOKE: ApiKeyFingerprintRequest,
    ActionName.QUERY: QueryRequest,
    ActionName.TOPIC_FILTER_CLUSTERIZE: ClusterizeRequest,
    ActionName.TOPIC_FILTER_INTERSECT: IntersectRequest,
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
