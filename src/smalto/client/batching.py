"""Batch limits of a topic upload, and `BatchBuilder`, which turns pushed messages into them.

Each pushed message is taken apart at once into per-column Python lists (`ColumnBuffer`), so the
message object dies immediately and the garbage collector never rescans buffered messages. The
lists become Arrow with one ``pa.array`` call per column per batch (thousands of rows), which
amortizes that call's fixed cost. No message is ever serialized alone to learn its size: the
bytes of a row are learnt from the first message (once per topic) and from every converted
chunk; binary fields (image blobs) are counted with ``len()`` as messages arrive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

from smalto.errors import InvalidRequest
from smalto.ontology import Message, Serializable, message_schema
from smalto.ontology.column_buffer import ColumnBuffer

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
"""Messages converted together right after a topic's first one, to check the row size learnt
from it before whole batches are buffered."""


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
    """Pushed messages → column lists → Arrow batches within the limits (caller's thread).

    `add` takes each message apart into a `ColumnBuffer` and says when to `convert` the rows
    buffered into one Arrow chunk; `take` hands the chunks over once `full` (or, to flush,
    after ``convert()``). The first message is converted alone to learn the size of a row, the
    next `CONVERSION_CHUNK_ROWS` together to check it, then whole batches at once.
    """

    def __init__(self, ontology_type: type[Serializable], limits: BatchLimits) -> None:
        self.ontology_type = ontology_type
        self.limits = limits
        self.columns = ColumnBuffer(ontology_type)
        self.convert_at = 1
        self.blob_fields = binary_fields(message_schema(ontology_type))
        self._blob_bytes = 0
        self._row_bytes: float | None = None
        self._built_rows = 0
        self._rejected: InvalidRequest | None = None
        self._converted: list[pa.RecordBatch] = []
        self._converted_rows = 0
        self._converted_bytes = 0

    @property
    def full(self) -> bool:
        """Whether the converted chunks make a whole batch."""
        return self._converted_bytes >= self.limits.max_bytes or self._converted_rows >= (
            self.limits.records_for(self._row_bytes or 0.0)
        )

    @property
    def pending(self) -> int:
        """Messages buffered and not yet converted."""
        return self.columns.rows

    def add(self, message: Message) -> bool:
        """Buffer ``message``; True when it is time to `convert`.

        A message that does not fit the ontology's layout is dropped; its error is raised by
        the next `convert`.
        """
        try:
            self.columns.appender(message)
        except Exception as exc:
            self.reject(exc)
            return False
        if self.blob_fields and self.blobs_full(message.data):
            return True
        return len(self.columns.timestamps) >= self.convert_at

    def reject(self, error: Exception) -> None:
        """After ``columns.appender`` raised ``error``: undo it, keep the error for `convert`."""
        rejected = self.columns.rollback(error)
        self._rejected = self._rejected or rejected

    def blobs_full(self, data: Serializable) -> bool:
        """Count the binary fields of ``data``; True once the unconverted bytes reach the limit,
        or when ``data`` alone holds half of it: two such rows could not share a batch, and one
        row alone is converted without copying its blob."""
        size = 0
        for name in self.blob_fields:
            blob = getattr(data, name, None)
            if blob is not None:
                size += len(blob)
        self._blob_bytes += size
        if 2 * size >= self.limits.max_bytes and self.columns.rows == 1:
            return True
        rows_bytes = self.columns.rows * (self._row_bytes or 0.0)
        return self._blob_bytes + rows_bytes + self._converted_bytes >= self.limits.max_bytes

    def convert(self) -> None:
        """Convert the buffered messages into one chunk (one ``pa.array`` per column).

        Rows Arrow refuses are left out; the first error of a message dropped since the last
        call is raised after the others were kept.
        """
        blob_bytes, self._blob_bytes = self._blob_bytes, 0
        rejected, self._rejected = self._rejected, None
        batch, failure = self.columns.to_batch()
        if batch is not None:
            self._keep(batch, blob_bytes)
        error = rejected or failure
        if error is not None:
            raise error

    def _keep(self, batch: pa.RecordBatch, blob_bytes: int) -> None:
        # A fresh batch owns all its buffers: their total is its size, and far cheaper to get
        # than the slice-aware ``nbytes``.
        size = batch.get_total_buffer_size()
        rows = batch.num_rows
        self._converted.append(batch)
        self._converted_rows += rows
        self._converted_bytes += size
        self._built_rows += rows
        if self._row_bytes is None or not self.blob_fields:
            # Blob topics count their blobs with len(): learn the rest of a row once.
            self._row_bytes = max(1.0, (size - min(blob_bytes, size)) / rows)
        remaining = self.limits.records_for(self._row_bytes) - self._converted_rows
        if self._built_rows < CONVERSION_CHUNK_ROWS:
            remaining = min(remaining, CONVERSION_CHUNK_ROWS)
        self.convert_at = max(1, remaining)

    def take(self) -> list[pa.RecordBatch]:
        """Hand over every converted chunk (and forget them); call `convert` first for the rest."""
        batches, self._converted = self._converted, []
        self._converted_rows = self._converted_bytes = 0
        if self._row_bytes is not None:
            self.convert_at = self.limits.records_for(self._row_bytes)
            if self._built_rows < CONVERSION_CHUNK_ROWS:
                self.convert_at = min(self.convert_at, CONVERSION_CHUNK_ROWS)
        return batches

    def discard(self) -> None:
        """Drop everything not yet handed over."""
        self.columns.clear()
        self._converted, self._rejected = [], None
        self._blob_bytes = self._converted_rows = self._converted_bytes = 0
