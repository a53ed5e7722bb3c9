"""Iterating stored messages: one topic (`TopicDataStreamer`) or a whole sequence merged by time
(`SequenceDataStreamer`).

Each DoGet stream is read one record batch at a time and converted column-wise
(`iter_message_chunks`), so memory holds one batch per topic, never the whole topic. Messages
are built a few dozen at a time (`chunk_rows`): the objects stay in the CPU cache and die before
the garbage collector traverses them (measured 1.5x faster than building whole batches). Iterating
a streamer with ``for`` walks the decoded slices in C (no Python frame per message); `next()`
works too, on the same position. Closing a streamer before the end cancels its DoGet calls.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.flight as flight

from smalto.client.closing import ClosesOnExit
from smalto.client.dataframes import (
    require_pandas,
    require_polars,
    table_to_dataframe,
    table_to_polars,
)
from smalto.client.flight_info import topic_properties
from smalto.client.transport import translate_flight_errors
from smalto.ontology import Message, Serializable, get_ontology
from smalto.ontology.columnar import iter_message_chunks

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

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


class TopicDataStreamer(ClosesOnExit):
    """The messages of one topic in ascending ``timestamp_ns`` order, read lazily.

    Iterate it, or use it as a context manager to be sure an abandoned read is cancelled.
    """

    def __init__(self, name: str, reader: flight.FlightStreamReader, address: str) -> None:
        self._name = name
        self._reader = reader
        self._address = address
        self._messages: Iterator[Message] = iter(())
        self._chunks: Iterator[list[Message]] = iter(())
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

    def __iter__(self) -> Iterator[Message]:
        # chain walks each decoded slice in C: no Python frame runs per message.
        return chain.from_iterable(self._decoded_slices())

    def _decoded_slices(self) -> Iterator[Iterator[Message]]:
        yield self._messages
        while self._decode_more():
            yield self._messages

    def __next__(self) -> Message:
        message = next(self._messages, None)
        while message is None:
            if not self._decode_more():
                raise StopIteration
            message = next(self._messages, None)
        return message

    def _decode_more(self) -> bool:
        """Build the next few dozen messages (`chunk_rows`); False at the end of the stream."""
        messages = next(self._chunks, None)
        if messages is None:
            batch = self.next_batch()
            if batch is None:
                return False
            self._chunks = iter_message_chunks(batch, self._ontology_type)
            messages = next(self._chunks)
        self._messages = iter(messages)
        return True

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

    def to_arrow(self) -> pa.Table:
        """The rest of the stream as one Arrow table, collected by Arrow batch by batch.

        Rows already turned into messages are not included; the streamer is finished after.
        """
        schema = self._reader.schema
        batches = list(iter(self.next_batch, None))
        return pa.Table.from_batches(batches, schema=schema)

    def to_pandas(self) -> pd.DataFrame:
        """`to_arrow` as a pandas DataFrame with struct fields flattened (``acceleration.x``)."""
        require_pandas()
        return table_to_dataframe(self.to_arrow())

    def to_polars(self) -> pl.DataFrame:
        """`to_arrow` as a polars DataFrame with struct fields flattened (``acceleration.x``)."""
        require_polars()
        return table_to_polars(self.to_arrow())

    def close(self) -> None:
        """Stop reading; cancels the DoGet if the stream was not read to its end."""
        if self._finished:
            return
        self._finished = True
        self._messages = iter(())
        self._chunks = iter(())
        try:
            self._reader.cancel()
        except (flight.FlightError, pa.ArrowException) as exc:
            _log.debug("cancelling the read of %s failed: %s", self._name, exc)


class SequenceDataStreamer(ClosesOnExit):
    """``(topic_name, message)`` pairs of several topics merged in global timestamp order.

    A k-way merge over the per-topic streams (each already sorted): the smallest
    ``timestamp_ns`` comes first; on a tie, the topic listed first by the server wins.
    """

    def __init__(self, streams: Sequence[TopicDataStreamer]) -> None:
        self._streams = list(streams)
        self._heap: list[tuple[int, int, Message]] = []
        # A single topic needs no merge: its messages pass straight through.
        self._single = self._streams[0] if len(self._streams) == 1 else None
        self._merged: Iterator[tuple[str, Message]] | None = None

    @property
    def topics(self) -> list[str]:
        """The topic names being merged, in tie-break order."""
        return [stream.name for stream in self._streams]

    def __iter__(self) -> Iterator[tuple[str, Message]]:
        if self._single is not None:
            return zip(repeat(self._single.name), self._single)
        return self._merging()

    def __next__(self) -> tuple[str, Message]:
        if self._single is not None:
            return self._single.name, next(self._single)
        return next(self._merging())

    def _merging(self) -> Iterator[tuple[str, Message]]:
        if self._merged is None:
            self._merged = self._merge()
        return self._merged

    def _merge(self) -> Iterator[tuple[str, Message]]:
        heap, streams = self._heap, self._streams
        iterators = [iter(stream) for stream in streams]
        for index, messages in enumerate(iterators):
            first = next(messages, None)
            if first is not None:
                heap.append((first.timestamp_ns, index, first))
        heapq.heapify(heap)
        while heap:
            _, index, message = heap[0]
            following = next(iterators[index], None)
            if following is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (following.timestamp_ns, index, following))
            yield streams[index].name, message

    def to_arrow(self) -> dict[str, pa.Table]:
        """Every topic as one Arrow table, by topic name (no merge: each is already sorted).

        Call it instead of iterating; with one topic, rows already yielded are left out.
        """
        if self._merged is not None:
            raise RuntimeError("to_arrow() reads whole topics: call it before iterating")
        return {stream.name: stream.to_arrow() for stream in self._streams}

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """`to_arrow` as pandas DataFrames with struct fields flattened (``acceleration.x``)."""
        require_pandas()
        return {name: table_to_dataframe(table) for name, table in self.to_arrow().items()}

    def to_polars(self) -> dict[str, pl.DataFrame]:
        """`to_arrow` as polars DataFrames with struct fields flattened (``acceleration.x``)."""
        require_polars()
        return {name: table_to_polars(table) for name, table in self.to_arrow().items()}

    def close(self) -> None:
        """Stop reading every topic (cancels the DoGet calls still open)."""
        self._heap.clear()
        for stream in self._streams:
            stream.close()
