"""Writing sessions: `SequenceWriter` (a new sequence) and `SequenceUpdater` (new topics on an
existing one). Both are context managers that open a session on enter and, on exit, either commit
it or apply the `SessionLevelErrorPolicy` (PROTOCOL.md §3.1 and §6.3).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import TracebackType
from typing import TypeVar

from smalto.client.batching import MAX_BATCHES_IN_FLIGHT, BatchLimits
from smalto.client.requests import build_request
from smalto.client.resources import ClientResources
from smalto.client.topic_writer import TopicWriter, error_text
from smalto.enums import (
    NotifyType,
    SequenceStatus,
    SessionLevelErrorPolicy,
    SessionStatus,
    TopicLevelErrorPolicy,
)
from smalto.errors import SmaltoError
from smalto.ontology import Serializable, message_schema, ontology_tag, serialization_format
from smalto.protocol.actions import (
    ActionName,
    LocatorRequest,
    NotificationCreateRequest,
    SequenceCreateRequest,
    SessionRequest,
    TopicCreateRequest,
    UuidResponse,
)
from smalto.protocol.commands import PutCommand
from smalto.protocol.locators import join_topic_locator, validate_sequence_name, validate_topic_path
from smalto.protocol.locators import topic_name as to_topic_name

__all__ = ["SequenceUpdater", "SequenceWriter"]

_log = logging.getLogger(__name__)

_W = TypeVar("_W", bound="_SessionWriter")


class _SessionWriter(ABC):
    """What a writer and an updater share: one session, its topics, the exit protocol."""

    def __init__(
        self,
        resources: ClientResources,
        sequence_name: str,
        on_error: SessionLevelErrorPolicy,
        limits: BatchLimits,
    ) -> None:
        self._resources = resources
        self._sequence_name = validate_sequence_name(sequence_name)
        self._on_error = SessionLevelErrorPolicy(on_error)
        self._limits = limits
        self._state = SessionStatus.Null
        self._session_uuid: str | None = None
        self._writers: dict[str, TopicWriter] = {}
        self._finalize_failed = False

    @property
    def sequence_name(self) -> str:
        """Name of the sequence being written."""
        return self._sequence_name

    @property
    def session_uuid(self) -> str | None:
        """Uuid of the writing session (None before the ``with`` block is entered)."""
        return self._session_uuid

    @property
    def on_error(self) -> SessionLevelErrorPolicy:
        """What happens to the session if the ``with`` block fails."""
        return self._on_error

    @property
    def topic_writers(self) -> dict[str, TopicWriter]:
        """Topic writers created so far, by topic name (leading ``/``)."""
        return dict(self._writers)

    def get_topic_writer(self, topic_name: str) -> TopicWriter | None:
        """The writer of a topic created in this session, or None."""
        return self._writers.get(to_topic_name(validate_topic_path(topic_name)))

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self: _W) -> _W:
        if self._state is not SessionStatus.Null:
            raise RuntimeError("a writer can be entered only once; create a new one")
        self._resources.start_writer_pools()
        self._before_session()
        response = self._resources.control.action(
            ActionName.SESSION_CREATE, LocatorRequest(locator=self._sequence_name)
        )
        if response is None:
            raise SmaltoError("the server created a session but did not return its uuid")
        self._session_uuid = UuidResponse.model_validate(response).uuid
        self._state = SessionStatus.Pending
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit on a clean exit; otherwise apply the policy. Never suppresses exceptions."""
        if self._state is not SessionStatus.Pending:
            return
        if exc is None:
            self._commit()
        else:
            self._fail(exc)

    @abstractmethod
    def _before_session(self) -> None:
        """Run on enter before ``session_create`` (the writer creates its sequence here)."""

    @abstractmethod
    def _discard(self) -> None:
        """The Delete policy: remove what this writer created."""

    def _require_pending(self) -> str:
        if self._state is not SessionStatus.Pending or self._session_uuid is None:
            raise RuntimeError(
                f"{type(self).__name__} must be used as a context manager "
                f"('with ... as writer:'); it is {self._state.value}"
            )
        return self._session_uuid

    def _commit(self) -> None:
        """Flush and close every topic, then finalize the session; on failure apply the policy."""
        try:
            active = [writer for writer in self._writers.values() if writer.is_active]
            for writer in active:
                writer.start_flush()  # all topics drain in parallel
            for writer in active:
                _finalize_topic(writer)
        except Exception as failure:
            self._fail(failure)
            raise
        try:
            self._session_action(ActionName.SESSION_FINALIZE)
        except Exception as failure:
            self._finalize_failed = True
            self._fail(failure)
            raise
        self._state = SessionStatus.Finalized

    def _fail(self, error: BaseException) -> None:
        """Close every open topic with an error, then apply the session policy (best effort)."""
        for writer in self._writers.values():
            writer.finalize_with_error(error)
        try:
            if self._on_error is SessionLevelErrorPolicy.Delete:
                self._discard()
            elif not self._finalize_failed:
                self._report(error)
        except (SmaltoError, RuntimeError) as exc:
            _log.error(
                "applying the %s policy to session %s of sequence %r failed: %s",
                self._on_error.value,
                self._session_uuid,
                self._sequence_name,
                exc,
            )
        self._state = SessionStatus.Error

    def _report(self, error: BaseException) -> None:
        """The Report policy: an error notification on the sequence, then finalize."""
        message = (
            f"session {self._session_uuid} of sequence '{self._sequence_name}' failed: "
            f"{type(error).__name__}: {error_text(error)}"
        )
        request = NotificationCreateRequest(
            locator=self._sequence_name, notification_type=NotifyType.ERROR, msg=message
        )
        try:
            self._resources.control.action(ActionName.SEQUENCE_NOTIFICATION_CREATE, request)
        finally:  # finalize even if the notification could not be stored
            self._session_action(ActionName.SESSION_FINALIZE)

    def _session_action(self, name: ActionName) -> None:
        assert self._session_uuid is not None
        self._resources.control.action(name, SessionRequest(session_uuid=self._session_uuid))

    # -- topics ----------------------------------------------------------------------------

    def topic_create(
        self,
        topic_name: str,
        metadata: Mapping[str, object] | None,
        ontology_type: type[Serializable],
        error_policy: TopicLevelErrorPolicy = TopicLevelErrorPolicy.Raise,
        *,
        on_error: TopicLevelErrorPolicy | None = None,
    ) -> TopicWriter:
        """Register a topic in this session and open its upload stream.

        ``on_error`` is an alias of ``error_policy``. If the stream cannot be opened, the topic
        is deleted again and the error is raised.
        """
        session_uuid = self._require_pending()
        policy = TopicLevelErrorPolicy(on_error if on_error is not None else error_policy)
        locator = join_topic_locator(self._sequence_name, topic_name)
        topic_uuid = self._create_topic(session_uuid, locator, metadata, ontology_type)
        try:
            channel = self._resources.data_channel()
            stream = channel.do_put(
                PutCommand(resource_locator=locator, topic_uuid=topic_uuid),
                message_schema(ontology_type),
            )
        except BaseException:
            self._delete_topic_quietly(locator)
            raise
        writer = TopicWriter(
            name=topic_name_of(locator),
            locator=locator,
            ontology_type=ontology_type,
            stream=stream,
            channel=channel,
            lane=self._resources.lane(MAX_BATCHES_IN_FLIGHT),
            limits=self._limits,
            error_policy=policy,
        )
        self._writers[writer.name] = writer
        return writer

    def _create_topic(
        self,
        session_uuid: str,
        locator: str,
        metadata: Mapping[str, object] | None,
        ontology_type: type[Serializable],
    ) -> str:
        request = build_request(
            TopicCreateRequest,
            ActionName.TOPIC_CREATE,
            session_uuid=session_uuid,
            locator=locator,
            serialization_format=serialization_format(ontology_type).value,
            ontology_tag=ontology_tag(ontology_type),
            user_metadata=dict(metadata or {}),
        )
        response = self._resources.control.action(ActionName.TOPIC_CREATE, request)
        if response is None:
            raise SmaltoError(f"the server created topic {locator!r} but returned no uuid")
        return UuidResponse.model_validate(response).uuid

    def _delete_topic_quietly(self, locator: str) -> None:
        try:
            self._resources.control.action(ActionName.TOPIC_DELETE, LocatorRequest(locator=locator))
        except (SmaltoError, RuntimeError) as exc:
            _log.warning("could not delete topic %r after a failed open: %s", locator, exc)


def _finalize_topic(writer: TopicWriter) -> None:
    """Finalize one topic; if that fails, attach the failure to the topic before raising it."""
    try:
        writer.finalize()
    except Exception as failure:
        writer.notify_error(failure)
        raise


def topic_name_of(locator: str) -> str:
    """``seq/a/b`` → ``/a/b``."""
    return to_topic_name(locator.partition("/")[2])


class SequenceWriter(_SessionWriter):
    """Creates a new sequence and writes its first session; obtained from ``sequence_create``.

    Must be used as a ``with`` block: entering creates the sequence and a session, leaving
    commits them, or applies ``on_error`` (Report keeps what was sent and attaches an error
    notification; Delete removes the sequence).
    """

    def __init__(
        self,
        resources: ClientResources,
        sequence_name: str,
        metadata: Mapping[str, object] | None,
        on_error: SessionLevelErrorPolicy,
        limits: BatchLimits,
    ) -> None:
        super().__init__(resources, sequence_name, on_error, limits)
        self._create_request = build_request(
            SequenceCreateRequest,
            ActionName.SEQUENCE_CREATE,
            locator=self._sequence_name,
            user_metadata=dict(metadata or {}),
        )

    @property
    def status(self) -> SequenceStatus:
        """Null before enter, Pending inside the block, then Finalized or Error."""
        return SequenceStatus(self._state.value)

    def _before_session(self) -> None:
        self._resources.control.action(ActionName.SEQUENCE_CREATE, self._create_request)

    def _discard(self) -> None:
        self._resources.control.action(
            ActionName.SEQUENCE_DELETE, LocatorRequest(locator=self._sequence_name)
        )


class SequenceUpdater(_SessionWriter):
    """Adds topics to an existing sequence in a new session; obtained from
    ``SequenceHandler.update``. The policy applies to this session only (Delete drops it).
    """

    @property
    def status(self) -> SessionStatus:
        """Null before enter, Pending inside the block, then Finalized or Error."""
        return self._state

    def _before_session(self) -> None:
        """Nothing to prepare: the sequence already exists."""

    def _discard(self) -> None:
        self._session_action(ActionName.SESSION_DELETE)
