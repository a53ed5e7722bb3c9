"""DoAction handlers: one method per action, each validating its body before touching anything."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from smalto._version import __version__
from smalto.errors import InvalidRequest
from smalto.protocol.actions import (
    ActionName,
    ActionRequest,
    ApiKeyCreateRequest,
    ApiKeyCreateResponse,
    ApiKeyFingerprintRequest,
    ApiKeyStatus,
    LocatorRequest,
    Notification,
    NotificationCreateRequest,
    NotificationListResponse,
    SemVer,
    SequenceCreateRequest,
    SessionRequest,
    TopicCreateRequest,
    UuidResponse,
    VersionResponse,
    decode_request,
)
from smalto.protocol.locators import split_topic_locator, validate_sequence_name
from smalto.server.api_keys import ApiKeyRing
from smalto.server.queries import QueryActions
from smalto.server.state import ServerState

__all__ = ["ActionHandlers"]

_TAG = re.compile(r"[A-Za-z0-9_]{1,256}")
_MAX_DESCRIPTION = 1024

Handler = Callable[[Any], BaseModel | None]


def _created_datetime(created_at_ns: int) -> str:
    seconds, nanos = divmod(created_at_ns, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=nanos // 1000)
    return moment.isoformat()


class ActionHandlers:
    """Executes DoActions against the server state."""

    def __init__(self, state: ServerState, keys: ApiKeyRing) -> None:
        self.state = state
        self.keys = keys
        self.queries = QueryActions(state)
        self._handlers: dict[ActionName, Handler] = {
            ActionName.VERSION: self.version,
            ActionName.SEQUENCE_CREATE: self.sequence_create,
            ActionName.SEQUENCE_DELETE: self.sequence_delete,
            ActionName.SEQUENCE_UNLOCK: self.sequence_unlock,
            ActionName.SESSION_CREATE: self.session_create,
            ActionName.SESSION_FINALIZE: self.session_finalize,
            ActionName.SESSION_DELETE: self.session_delete,
            ActionName.TOPIC_CREATE: self.topic_create,
            ActionName.TOPIC_DELETE: self.topic_delete,
            ActionName.SEQUENCE_NOTIFICATION_CREATE: self.sequence_notification_create,
            ActionName.SEQUENCE_NOTIFICATION_LIST: self.sequence_notification_list,
            ActionName.SEQUENCE_NOTIFICATION_PURGE: self.sequence_notification_purge,
            ActionName.TOPIC_NOTIFICATION_CREATE: self.topic_notification_create,
            ActionName.TOPIC_NOTIFICATION_LIST: self.topic_notification_list,
            ActionName.TOPIC_NOTIFICATION_PURGE: self.topic_notification_purge,
            ActionName.API_KEY_CREATE: self.api_key_create,
            ActionName.API_KEY_STATUS: self.api_key_status,
            ActionName.API_KEY_REVOKE: self.api_key_revoke,
            ActionName.QUERY: self.queries.query,
            ActionName.TOPIC_FILTER_CLUSTERIZE: self.queries.clusterize,
            ActionName.TOPIC_FILTER_INTERSECT: self.queries.intersect,
        }

    def execute(self, name: str, body: bytes) -> BaseModel | None:
        """Run action ``name`` with its raw JSON body; returns the ``response`` payload."""
        action = ActionName.parse(name)
        limit = self.state.settings.max_action_body_bytes
        if len(body) > limit:
            raise InvalidRequest(
                f"the body of {action.value!r} is {len(body)} bytes; the limit is {limit} bytes "
                "(server option --max-action-body-bytes)"
            )
        handler = self._handlers.get(action)
        if handler is None:
            raise InvalidRequest(f"action {action.value!r} is not served by this server")
        request: ActionRequest = decode_request(action, body)
        return handler(request)

    def _check_metadata(self, what: str, metadata: Mapping[str, Any]) -> None:
        size = len(json.dumps(metadata, separators=(",", ":")).encode())
        limit = self.state.settings.max_metadata_bytes
        if size > limit:
            raise InvalidRequest(
                f"user metadata of {what} is {size} bytes as JSON; the limit is {limit} bytes "
                "(server option --max-metadata-bytes)"
            )

    def _check_name_length(self, what: str, name: str) -> None:
        limit = self.state.settings.max_name_length
        if len(name) > limit:
            raise InvalidRequest(
                f"{what} {name[:40]!r}... is {len(name)} characters long; this server accepts at "
                f"most {limit} (server option --max-name-length)"
            )

    # -- server --------------------------------------------------------------------------------

    def version(self, _request: ActionRequest) -> VersionResponse:
        """The server version."""
        major, minor, patch = (int(p) for p in __version__.split(".")[:3])
        return VersionResponse(
            version=__version__, semver=SemVer(major=major, minor=minor, patch=patch)
        )

    # -- sequences and sessions ----------------------------------------------------------------

    def sequence_create(self, request: SequenceCreateRequest) -> None:
        """Register a new, empty sequence."""
        name = validate_sequence_name(request.locator)
        self._check_name_length("sequence name", name)
        self._check_metadata(f"sequence {name!r}", request.user_metadata)
        self.state.catalog.create_sequence(name, request.user_metadata)

    def sequence_delete(self, request: LocatorRequest) -> None:
        """Delete a sequence and all its data; deleting a missing sequence succeeds."""
        name = validate_sequence_name(request.locator)
        self.state.drop_objects(self.state.catalog.delete_sequence(name))

    def sequence_unlock(self, request: LocatorRequest) -> None:
        """Unlock a finalized sequence so it (and its sessions) can be deleted again."""
        self.state.catalog.set_sequence_lock(validate_sequence_name(request.locator), False)

    def session_create(self, request: LocatorRequest) -> UuidResponse:
        """Open a writing session on a sequence."""
        session = self.state.catalog.create_session(validate_sequence_name(request.locator))
        return UuidResponse(uuid=session.uuid)

    def session_finalize(self, request: SessionRequest) -> None:
        """Lock a session whose topics are all locked."""
        self.state.catalog.finalize_session(request.session_uuid)

    def session_delete(self, request: SessionRequest) -> None:
        """Delete a session and the topics it created."""
        self.state.drop_objects(self.state.catalog.delete_session(request.session_uuid))

    # -- topics --------------------------------------------------------------------------------

    def topic_create(self, request: TopicCreateRequest) -> UuidResponse:
        """Register a topic in an open session; its uuid is the DoPut write token."""
        sequence, path = split_topic_locator(request.locator)
        self._check_name_length("topic name", path)
        if not _TAG.fullmatch(request.ontology_tag):
            raise InvalidRequest(
                f"invalid ontology tag {request.ontology_tag[:80]!r}: use 1 to 256 ASCII letters, "
                "digits or '_' (no '.')"
            )
        self._check_metadata(f"topic '{request.locator}'", request.user_metadata)
        topic = self.state.catalog.create_topic(
            session_uuid=request.session_uuid,
            sequence_name=sequence,
            path=path,
            ontology_tag=request.ontology_tag,
            serialization_format=request.serialization_format.value,
            user_metadata=request.user_metadata,
        )
        return UuidResponse(uuid=topic.uuid)

    def topic_delete(self, request: LocatorRequest) -> None:
        """Delete a topic whose upload has not ended."""
        sequence, path = split_topic_locator(request.locator)
        self.state.drop_objects(self.state.catalog.delete_topic(sequence, path))

    # -- notifications -------------------------------------------------------------------------

    def _notify(self, request: NotificationCreateRequest, path: str | None, name: str) -> None:
        self.state.catalog.add_notification(
            name, path, request.notification_type.value, request.msg
        )

    def _list(self, sequence: str, path: str | None) -> NotificationListResponse:
        records = self.state.catalog.list_notifications(sequence, path)
        target = sequence if path is None else f"{sequence}/{path}"
        return NotificationListResponse(
            notifications=[
                Notification(
                    name=target,
                    notification_type=r.notification_type,
                    msg=r.message,
                    created_datetime=_created_datetime(r.created_at_ns),
                )
                for r in records
            ]
        )

    def sequence_notification_create(self, request: NotificationCreateRequest) -> None:
        """Attach a notification to a sequence."""
        self._notify(request, None, validate_sequence_name(request.locator))

    def sequence_notification_list(self, request: LocatorRequest) -> NotificationListResponse:
        """A sequence's notifications, oldest first."""
        return self._list(validate_sequence_name(request.locator), None)

    def sequence_notification_purge(self, request: LocatorRequest) -> None:
        """Delete a sequence's notifications."""
        self.state.catalog.purge_notifications(validate_sequence_name(request.locator), None)

    def topic_notification_create(self, request: NotificationCreateRequest) -> None:
        """Attach a notification to a topic."""
        sequence, path = split_topic_locator(request.locator)
        self._notify(request, path, sequence)

    def topic_notification_list(self, request: LocatorRequest) -> NotificationListResponse:
        """A topic's notifications, oldest first."""
        return self._list(*split_topic_locator(request.locator))

    def topic_notification_purge(self, request: LocatorRequest) -> None:
        """Delete a topic's notifications."""
        self.state.catalog.purge_notifications(*split_topic_locator(request.locator))

    # -- API keys ------------------------------------------------------------------------------

    def api_key_create(self, request: ApiKeyCreateRequest) -> ApiKeyCreateResponse:
        """Mint a key; the token is returned once and only a hash of it is stored."""
        if len(request.description) > _MAX_DESCRIPTION:
            raise InvalidRequest(
                f"an API-key description is at most {_MAX_DESCRIPTION} characters; "
                f"got {len(request.description)}"
            )
        token = self.keys.create(request.permissions, request.description, request.expires_at_ns)
        return ApiKeyCreateResponse(api_key_token=token)

    def api_key_status(self, request: ApiKeyFingerprintRequest) -> ApiKeyStatus:
        """Describe a live key by fingerprint."""
        return self.keys.status(request.api_key_fingerprint)

    def api_key_revoke(self, request: ApiKeyFingerprintRequest) -> None:
        """Revoke a key; calls with it are refused from now on."""
        self.keys.revoke(request.api_key_fingerprint)
