"""Iterating stored messages: one topic (`TopicDataStreamer`) or a whole sequence merged by time
(`SequenceDataStreamer`).

Each DoGet stream is read one record batch at a time and converted column-wise with
`batch_to_messages`, so memory holds one batch per topic, never the whole topic. Closing a
streamer before the end cancels its DoGet calls.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator, Sequence
from types import TracebackType

import pyarrow as pa
import pyarrow.flight as flight

from smalto.client.flight_info import topic_properties
from smalto.client.transport import translate_flight_errors
from smalto.ontology import Message, Serializable, get_ontology
from smalto.ontology.columnar import batch_to_messages

__all__ = ["SequenceDataStreamer", "TopicDataStreamer", "check_window"]

_log = logging.getLogger(__name__)


def check_window(start_timestamp_ns: int | None, end_timestamp_ns: int | None) -> None:
    """Refuse a window whose end (exclusive, ns) precedes its start (inclusive, ns)."""
    if (
        start_timestamp_ns is not None
        and end_timestamp_ns is not None
        and end_timestamp_ns < start_timestamp_ns
    ):
        raise ValueError(
            f"end_timestamp_ns ({end_timestamp_ns}) is before start_timestamp_ns "
            f"({start_timestamp_ns}); the window is [start, end) in nanoseconds"
        )


class TopicDataStreamer:
    """The messages of one topic in ascending ``timestamp_ns`` order, read lazily.

    Iterate it, or use it as a context manager to be sure an abandoned read is cancelled.
    """

    def __init__(self, name: str, reader: flight.FlightStreamReader, address: str) -> None:
        self._name = name
        self._reader = reader
        self._address = address
        self._messages: Iterator[Message] = iter(())
        self._finished = False
        try:
            with translate_flight_errors(address):
                schema = reader.schema
            self._ontology_type = get_ontology(topic_properties(schema).ontology_tag)
        except BaseException:
            self.close()
            raise

    @property
    def name(self) -> str:
        """Topic name, with a leading ``/``."""
        return self._name

    @property
    def ontology_type(self) -> type[Serializable]:
        """The data class of this topic's messages."""
        return self._ontology_type

    def __iter__(self) -> TopicDataStreamer:
        return self

    def __next__(self) -> Message:
        message = next(self._messages, None)
        while message is None:
            batch = self.next_batch()
            if batch is None:
                raise StopIteration
            self._messages = iter(batch_to_messages(batch, self._ontology_type))
            message = next(self._messages, None)
        return message

    def next_batch(self) -> pa.RecordBatch | None:
        """The next raw record batch of the stream, or None at the end.

        Do not mix with message iteration: messages of a batch already converted are skipped.
        """
        while not self._finished:
            try:
                with translate_flight_errors(self._address):
                    chunk = self._reader.read_chunk()
            except StopIteration:
                self._finished = True
                return None
            if chunk.data is not None and chunk.data.num_rows > 0:
                return chunk.data
        return None

    def close(self) -> None:
        """Stop reading; cancels the DoGet if the stream was not read to its end."""
        if self._finished:
            return
        self._finished = True
        self._messages = iter(())
        try:
            self._reader.cancel()
        except (flight.FlightError, pa.ArrowException) as exc:
            _log.debug("cancelling the read of %s failed: %s", self._name, exc)

    def __enter__(self) -> TopicDataStreamer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SequenceDataStreamer:
    """``(topic_name, message)`` pairs of several topics merged in global timestamp order.

    A k-way merge over the per-topic streams (each already sorted): the smallest
    ``timestamp_ns`` comes first; on a tie, the topic listed first by the server wins.
    """

    def __init__(self, streams: Sequence[TopicDataStreamer]) -> None:
        self._streams = list(streams)
        self._heap: list[tuple[int, int, Message]] = []
        for index, stream in enumerate(self._streams):
            first = next(stream, None)
            if first is not None:
                self._heap.append((first.timestamp_ns, index, first))
        heapq.heapify(self._heap)

    @property
    def topics(self) -> list[str]:
        """The topic names being merged, in tie-break order."""
        return [stream.name for stream in self._streams]

    def __iter__(self) -> SequenceDataStreamer:
        return self

    def __next__(self) -> tuple[str, Message]:
        heap = self._heap
        if not heap:
            raise StopIteration
        _, index, message = heap[0]
        following = next(self._streams[index], None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (following.timestamp_ns, index, following))
        return self._streams[index].name, message

    def close(self) -> None:
        """Stop reading every topic (cancels the DoGet calls still open)."""
        self._heap.clear()
        for stream in self._streams:
            stream.close()

    def __enter__(self) -> SequenceDataStreamer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
