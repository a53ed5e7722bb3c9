"""`TopicWriter`: buffers one topic's messages and uploads them on its own DoPut stream.

`push` takes each message apart into per-column lists on the caller's thread (that work needs
the GIL anyway; a converter thread would only add GIL hand-offs and keep message objects alive
longer), and once a batch's worth of rows is buffered, converts them to Arrow with one call per
column. The topic's `Lane` then combines, splits and writes the batches on a worker thread,
where Arrow and gRPC run without the GIL. Batches of one topic are sent in push order, at most
`MAX_BATCHES_IN_FLIGHT` at a time. A failure in the background is kept and raised by the next
`push`, `flush` or `finalize`; a message that cannot be stored is dropped and its error raised at
the next conversion (at the latest by `flush`/`finalize`).
"""

from __future__ import annotations

import logging
from functools import partial
from types import TracebackType

import pyarrow as pa

from smalto.client.batching import BatchBuilder, BatchLimits, combine_batches, split_batch
from smalto.client.columnar_input import ColumnarData, as_topic_table
from smalto.client.pools import Lane
from smalto.client.transport import Channel, PutStream
from smalto.enums import NotifyType, TopicLevelErrorPolicy, TopicWriterStatus
from smalto.errors import SmaltoError
from smalto.ontology import Message, Serializable, message_schema
from smalto.protocol.actions import ActionName, NotificationCreateRequest

__all__ = ["TopicWriter", "error_text"]

_log = logging.getLogger(__name__)

_OPEN_STATES = (TopicWriterStatus.Active, TopicWriterStatus.IgnoredLastError)


def error_text(error: BaseException) -> str:
    """The text a notification carries for ``error`` (its type name when it has no message)."""
    return str(error) or type(error).__name__


class TopicWriter:
    """Writes the messages of one topic; obtained from ``topic_create`` of a session writer.

    Used as a ``with`` block around processing and ``push``, it applies the topic's
    `TopicLevelErrorPolicy` to exceptions raised inside the block. Push from one thread at a
    time.
    """

    def __init__(
        self,
        *,
        name: str,
        locator: str,
        ontology_type: type[Serializable],
        stream: PutStream,
        channel: Channel,
        lane: Lane,
        limits: BatchLimits,
        error_policy: TopicLevelErrorPolicy,
    ) -> None:
        self._name = name
        self._locator = locator
        self._ontology_type = ontology_type
        self._stream = stream
        self._channel = channel
        self._lane = lane
        self._limits = limits
        self._error_policy = error_policy
        self._builder = BatchBuilder(ontology_type, limits)
        self._schema = message_schema(ontology_type)
        self._append = self._builder.columns.appender
        self._buffered = self._builder.columns.timestamps
        self._failure: Exception | None = None
        self._status = TopicWriterStatus.Active
        self._accepting = True

    @property
    def name(self) -> str:
        """Topic name, with a leading ``/``."""
        return self._name

    @property
    def locator(self) -> str:
        """Topic locator on the wire (``sequence/topic/path``)."""
        return self._locator

    @property
    def ontology_type(self) -> type[Serializable]:
        """The data class every pushed message must carry."""
        return self._ontology_type

    @property
    def error_policy(self) -> TopicLevelErrorPolicy:
        """What the ``with`` block does with an exception."""
        return self._error_policy

    @property
    def status(self) -> TopicWriterStatus:
        """Lifecycle state."""
        return self._status

    @property
    def is_active(self) -> bool:
        """Whether the writer still accepts messages."""
        return self._status in _OPEN_STATES

    def push(self, message: Message) -> None:
        """Buffer ``message`` for upload; amortized O(1).

        Its values are copied into column lists at once (the message may then be reused); a
        batch's worth is converted to Arrow in one go. Blocks only when the topic already has
        `MAX_BATCHES_IN_FLIGHT` batches being sent.
        """
        if not self._accepting:
            raise RuntimeError(f"topic writer {self._name!r} is {self._status.value}; cannot push")
        if not isinstance(message, Message):
            raise TypeError(f"push() takes a Message, got {type(message).__name__}")
        data = message.data
        if not isinstance(data, self._ontology_type):
            raise TypeError(
                f"topic {self._name!r} stores {self._ontology_type.__name__} data, "
                f"got a message carrying {type(data).__name__}"
            )
        if self._failure is not None:
            raise self._failure
        # BatchBuilder.add, inlined: this runs once per message.
        builder = self._builder
        try:
            self._append(message)
        except Exception as exc:
            builder.reject(exc)
            return
        if (builder.blob_fields and builder.blobs_full(data)) or len(
            self._buffered
        ) >= builder.convert_at:
            self._convert()

    def push_batch(self, data: ColumnarData) -> None:
        """Upload many rows at once from columns: no per-row Python, no message objects.

        ``data`` is a ``pyarrow.Table`` or ``RecordBatch``, a pandas or polars DataFrame, or a
        dict of numpy arrays (or lists / Arrow arrays), holding the topic's columns: the envelope
        (``timestamp_ns`` int64 ns, required; ``recording_timestamp_ns``, ``frame_id``,
        ``sequence_id`` optional) and the ontology's fields, nested as structs or flattened
        with dotted names (``acceleration.x``). Absent nullable columns are null; values are
        cast to the topic's types when that is lossless. `InvalidRequest` names the first bad
        column and nothing is sent. Rows go after every message pushed before, in batches of
        at most ``max_batch_size_bytes`` (the record limit applies to pushed messages only).
        """
        if not self._accepting:
            raise RuntimeError(f"topic writer {self._name!r} is {self._status.value}; cannot push")
        if self._failure is not None:
            raise self._failure
        table = as_topic_table(data, self._schema, self._name)
        try:
            self.start_flush()  # messages pushed before go first
        finally:
            # Sized by bytes only: the record limit exists to bound per-message buffering,
            # and small batches would cost a round of per-batch work each (measured).
            for piece in table.to_batches():
                for batch in split_batch(piece, self._limits.max_bytes):
                    self._lane.submit(partial(self._send, [batch], combine=False))

    def _convert(self) -> None:
        builder = self._builder
        try:
            builder.convert()
        finally:
            if builder.full:
                self._lane.submit(partial(self._send, builder.take()))

    def start_flush(self) -> None:
        """Hand everything buffered to the background without waiting for it to be sent.

        If a message cannot be converted, the others are still sent and the error is raised.
        """
        try:
            self._builder.convert()
        finally:
            batches = self._builder.take()
            if batches:
                self._lane.submit(partial(self._send, batches))

    def _send(self, batches: list[pa.RecordBatch], combine: bool = True) -> None:
        """Worker-thread job: combine the chunks and split them to the limits (unless they
        already are), write; record failures."""
        if self._failure is not None:
            return  # the stream is broken: later batches would leave a gap
        try:
            for batch in combine_batches(batches, self._limits) if combine else batches:
                self._stream.write(batch)
        except Exception as exc:
            self._failure = exc

    def flush(self) -> None:
        """Send everything buffered and wait until it has been written to the stream."""
        if not self.is_active:
            raise RuntimeError(f"topic writer {self._name!r} is {self._status.value}; cannot flush")
        self.start_flush()
        self._lane.wait_idle()
        if self._failure is not None:
            raise self._failure

    def finalize(self) -> None:
        """Flush, end the upload and wait for the server to commit and lock the topic.

        Does nothing if the writer is already finalized. On failure the stream is closed
        anyway, the status becomes ``FinalizedWithError`` and the error is raised.
        """
        if not self.is_active:
            return
        self._accepting = False
        try:
            self.start_flush()
            self._lane.wait_idle()
            if self._failure is not None:
                raise self._failure
            self._stream.close()
        except BaseException:
            self._status = TopicWriterStatus.FinalizedWithError
            self._close_quietly()
            raise
        self._status = TopicWriterStatus.Finalized

    def finalize_with_error(self, error: BaseException) -> None:
        """Report ``error`` as a topic notification and close without flushing the buffer.

        What was already sent is committed by the server. Best effort: failures are logged.
        """
        if not self.is_active:
            return
        self._accepting = False
        self._status = TopicWriterStatus.FinalizedWithError
        self._builder.discard()
        self.notify_error(error)
        self._lane.wait_idle()
        self._close_quietly()

    def notify_error(self, error: BaseException) -> None:
        """Attach an error notification to this topic on the server (failures are logged)."""
        request = NotificationCreateRequest(
            locator=self._locator, notification_type=NotifyType.ERROR, msg=error_text(error)
        )
        try:
            self._channel.action(ActionName.TOPIC_NOTIFICATION_CREATE, request)
        except (SmaltoError, RuntimeError) as exc:
            _log.warning("could not report an error on topic %r: %s", self._locator, exc)

    def _close_quietly(self) -> None:
        try:
            self._stream.close()
        except SmaltoError as exc:
            _log.warning("closing the upload of topic %r failed: %s", self._locator, exc)

    def __enter__(self) -> TopicWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        """Apply the topic's error policy; True suppresses the exception."""
        if not isinstance(exc, Exception) or self._error_policy is TopicLevelErrorPolicy.Raise:
            return False
        if not self.is_active:
            # Pushes after a Finalize-policy close land here: the topic is done, stay quiet.
            return self._status is TopicWriterStatus.FinalizedWithError and (
                self._error_policy is TopicLevelErrorPolicy.Finalize
            )
        if self._error_policy is TopicLevelErrorPolicy.Ignore and exc is not self._failure:
            self.notify_error(exc)
            self._status = TopicWriterStatus.IgnoredLastError
            return True
        # Finalize, or Ignore with a broken stream (nothing more can be sent on it).
        self.finalize_with_error(exc)
        return True

    def __repr__(self) -> str:
        return f"TopicWriter(name={self._name!r}, status={self._status.value})"
