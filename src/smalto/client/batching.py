"""Batch limits of a topic upload, and `BatchBuilder`, which turns pushed messages into them.

Messages are converted column-wise in chunks of at most `CONVERSION_CHUNK_ROWS`, as soon as a
chunk is complete: a message object then lives for a few hundred pushes only, which keeps the
garbage collector's work small. Converted chunks accumulate until they reach the batch limits
(rows or bytes) and are then sent as one batch. No message is ever serialized alone to learn its
size: the bytes of a row are learnt from the first message (once per topic) and from every
converted chunk; binary fields (image blobs) are counted with ``len()`` as messages arrive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

from smalto.ontology import Message, Serializable, message_schema
from smalto.ontology.columnar import messages_to_batch

__all__ = [
    "CONVERSION_CHUNK_ROWS",
    "DEFAULT_MAX_BATCH_SIZE_BYTES",
    "DEFAULT_MAX_BATCH_SIZE_RECORDS",
    "FLIGHT_MESSAGE_LIMIT_BYTES",
    "MAX_BATCHES_IN_FLIGHT",
    "BatchBuilder",
    "BatchLimits",
    "binary_fields",
    "combine_batches",
    "split_batch",
]

DEFAULT_MAX_BATCH_SIZE_BYTES = 10 * 1024 * 1024
"""Default upper bound of one record batch, in bytes (10 MiB)."""
DEFAULT_MAX_BATCH_SIZE_RECORDS = 5000
"""Default upper bound of one record batch, in rows."""
FLIGHT_MESSAGE_LIMIT_BYTES = 16 * 1024 * 1024
"""Size of one Flight message the byte limit must stay well below (16 MiB)."""
MAX_BATCHES_IN_FLIGHT = 3
"""Batches of one topic queued or being sent at once; `push` blocks beyond that."""
CONVERSION_CHUNK_ROWS = 128
"""Messages converted to Arrow at a time: small, so message objects die young and the garbage
collector has little to traverse, yet large enough to amortize a conversion's fixed cost
(128 measured best for IMU on CPython 3.11)."""


@dataclass(frozen=True)
class BatchLimits:
    """When a topic's buffer is flushed: at ``max_records`` rows or ``max_bytes`` bytes."""

    max_bytes: int = DEFAULT_MAX_BATCH_SIZE_BYTES
    max_records: int = DEFAULT_MAX_BATCH_SIZE_RECORDS

    def __post_init__(self) -> None:
        ceiling = int(FLIGHT_MESSAGE_LIMIT_BYTES * 0.9)
        if not 0 < self.max_bytes < ceiling:
            raise ValueError(
                f"max_batch_size_bytes must be between 1 and {ceiling - 1} "
                f"(90 % of the 16 MiB Flight message limit), got {self.max_bytes}"
            )
        if self.max_records < 1:
            raise ValueError(f"max_batch_size_records must be at least 1, got {self.max_records}")

    @classmethod
    def build(cls, max_bytes: int | None, max_records: int | None) -> BatchLimits:
        """Limits from user arguments, None meaning the default."""
        return cls(
            max_bytes=DEFAULT_MAX_BATCH_SIZE_BYTES if max_bytes is None else max_bytes,
            max_records=DEFAULT_MAX_BATCH_SIZE_RECORDS if max_records is None else max_records,
        )

    def records_for(self, row_bytes: float) -> int:
        """Rows per batch for rows of about ``row_bytes`` bytes (at least 1)."""
        by_bytes = int(self.max_bytes / row_bytes) if row_bytes > 0 else self.max_records
        return max(1, min(self.max_records, by_bytes))


def binary_fields(schema: pa.Schema) -> tuple[str, ...]:
    """Top-level binary columns, whose per-message size is counted as messages arrive."""
    return tuple(
        field.name
        for field in schema
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)
    )


def split_batch(batch: pa.RecordBatch, max_bytes: int) -> list[pa.RecordBatch]:
    """Slices of ``batch`` of at most ``max_bytes`` each (zero-copy).

    A single row larger than the limit is returned alone: it cannot be split further.
    """
    if batch.num_rows <= 1 or batch.nbytes <= max_bytes:
        return [batch]
    parts = math.ceil(batch.nbytes / max_bytes)
    step = max(1, math.ceil(batch.num_rows / parts))
    pieces: list[pa.RecordBatch] = []
    for offset in range(0, batch.num_rows, step):
        pieces.extend(split_batch(batch.slice(offset, step), max_bytes))
    return pieces


def combine_batches(batches: list[pa.RecordBatch], limits: BatchLimits) -> list[pa.RecordBatch]:
    """Converted chunks as few batches as the limits allow (rows, then bytes)."""
    combined = batches[0]
    if len(batches) > 1:
        merged = pa.Table.from_batches(batches).combine_chunks().to_batches()
        combined = merged[0] if len(merged) == 1 else combined
    pieces: list[pa.RecordBatch] = []
    for offset in range(0, combined.num_rows, limits.max_records):
        pieces.extend(split_batch(combined.slice(offset, limits.max_records), limits.max_bytes))
    return pieces


class BatchBuilder:
    """Pushed messages → converted Arrow chunks → batches within the limits (caller's thread).

    `messages` is the list `push` appends to; the owner calls `convert` when it reaches
    `convert_at` entries (or `blobs_full` says the bytes are enough), and `take` once `full`
    (or to flush: ``convert(force=True)`` then `take`).
    """

    def __init__(self, ontology_type: type[Serializable], limits: BatchLimits) -> None:
        self.ontology_type = ontology_type
        self.limits = limits
        self.messages: list[Message] = []
        self.convert_at = 1  # the first message is measured, then the real threshold is set
        self.blob_fields = binary_fields(message_schema(ontology_type))
        self._blob_bytes = 0
        self._row_bytes: float | None = None
        self._converted: list[pa.RecordBatch] = []
        self._converted_rows = 0
        self._converted_bytes = 0

    @property
    def full(self) -> bool:
        """Whether the converted chunks make a whole batch."""
        return (
            self._converted_rows >= self.limits.max_records
            or self._converted_bytes >= self.limits.max_bytes
        )

    def blobs_full(self, data: Serializable) -> bool:
        """Count the binary fields of ``data``; True once the unconverted bytes reach the limit."""
        for name in self.blob_fields:
            blob = getattr(data, name, None)
            if blob is not None:
                self._blob_bytes += len(blob)
        rows_bytes = len(self.messages) * (self._row_bytes or 0.0)
        return self._blob_bytes + rows_bytes + self._converted_bytes >= self.limits.max_bytes

    def convert(self, force: bool = False) -> None:
        """Convert the pending messages into one chunk (column-wise).

        The first call of a topic only measures a row unless ``force``. A chunk that fails to
        convert is retried message by message: the good ones are kept, the first failure raised.
        """
        if self._row_bytes is None and self.messages:
            self._measure(self.messages[0])
            if not force and len(self.messages) < self.convert_at:
                return
        messages, self.messages, self._blob_bytes = self.messages, [], 0
        if messages:
            self._convert(messages)

    def _measure(self, first: Message) -> None:
        batch = messages_to_batch([first], self.ontology_type)
        blobs = sum(len(getattr(first.data, name, None) or b"") for name in self.blob_fields)
        self._learn(batch.get_total_buffer_size() - blobs, 1)

    def _learn(self, row_payload_bytes: float, rows: int) -> None:
        self._row_bytes = max(1.0, row_payload_bytes / max(rows, 1))
        self.convert_at = min(CONVERSION_CHUNK_ROWS, self.limits.records_for(self._row_bytes))

    def _convert(self, messages: list[Message]) -> None:
        try:
            self._keep(messages_to_batch(messages, self.ontology_type))
            return
        except (ValueError, TypeError, pa.ArrowException):
            if len(messages) == 1:
                raise
        failure: Exception | None = None
        for message in messages:
            try:
                self._keep(messages_to_batch([message], self.ontology_type))
            except (ValueError, TypeError, pa.ArrowException) as exc:
                failure = failure or exc
        if failure is not None:
            raise failure

    def _keep(self, batch: pa.RecordBatch) -> None:
        # A fresh batch owns all its buffers: their total is its size, and far cheaper to get
        # than the slice-aware ``nbytes``.
        size = batch.get_total_buffer_size()
        self._converted.append(batch)
        self._converted_rows += batch.num_rows
        self._converted_bytes += size
        if not self.blob_fields:
            self._learn(size, batch.num_rows)

    def take(self) -> list[pa.RecordBatch]:
        """Hand over every converted chunk (and forget them); call `convert` first for the rest."""
        batches, self._converted = self._converted, []
        self._converted_rows = self._converted_bytes = 0
        return batches

    def discard(self) -> None:
        """Drop everything not yet handed over."""
        self.messages, self._converted = [], []
        self._blob_bytes = self._converted_rows = self._converted_bytes = 0
