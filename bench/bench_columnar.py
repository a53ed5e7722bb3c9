"""Columnar IMU: 5,000,000 rows in with `push_batch`, back out with `to_arrow`, and a 1 % window.

- ingest: `TopicWriter.push_batch` of one table into a local `smalto serve` (zstd Parquet on
  disk) vs ``pyarrow.parquet.write_table`` of the same table with the server's settings, to a
  local file (target >= 0.7);
- full read: `TopicHandler.to_arrow()` vs ``pyarrow.parquet.read_table`` of the same chunk files
  (target >= 0.6);
- 1 % window: ``to_arrow(start, end)`` of 1 % of the time range vs the full read, in time and in
  bytes received (target <= 0.05 for both).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bench import harness
from bench.bench_backends import T0_NS, imu_table
from bench.harness import Result, local_server, timed
from smalto import IMU
from smalto.storage.chunk_codec import parquet_write_options

COUNT = 5_000_000
WINDOW_REPEATS = 5


def _write_baseline(table: pa.Table) -> float:
    """Seconds of ``pq.write_table`` with the server's options, to a local file."""
    with tempfile.TemporaryDirectory(prefix="smalto-bench-pq-") as tmp:
        path = Path(tmp) / "imu.parquet"
        _, seconds = timed(lambda: pq.write_table(table, path, **parquet_write_options(table)))
    return seconds


def run(count: int = COUNT) -> list[Result]:
    """Ingest, full read and 1 % window of ``count`` IMU rows; returns their results."""
    table = imu_table(count)
    write_s = _write_baseline(table)
    with local_server() as (store, client):

        def ingest() -> None:
            with client.sequence_create("bench_columnar", {}) as writer:
                writer.topic_create("imu", {}, IMU).push_batch(table)

        _, ingest_s = timed(ingest)
        handler = client.topic_handler("bench_columnar", "/imu")
        assert handler is not None
        files = sorted(store.rglob("*.parquet"))
        back, read_s = timed(handler.to_arrow)
        baseline, parquet_s = timed(lambda: pq.read_table(files))
        assert back.num_rows == baseline.num_rows == count
        start = T0_NS + (count // 2) * 1_000_000
        end = start + (count // 100) * 1_000_000
        windows = [timed(lambda: handler.to_arrow(start, end)) for _ in range(WINDOW_REPEATS)]
        fulls = [timed(handler.to_arrow)[1] for _ in range(2)]
        window = windows[0][0]
        assert window.num_rows == count // 100, window.num_rows
    window_s = statistics.median(seconds for _, seconds in windows)
    full_s = statistics.median([read_s, *fulls])
    rows = "rows/s"
    return [
        Result(
            "IMU 5M push_batch vs pq.write_table", count / ingest_s, count / write_s, rows, ">= 0.7"
        ),
        Result(
            "IMU full to_arrow vs pq.read_table", count / read_s, count / parquet_s, rows, ">= 0.6"
        ),
        Result("1 % window vs full read, time", window_s * 1e3, full_s * 1e3, "ms", "<= 0.05"),
        Result(
            "1 % window vs full read, bytes",
            window.nbytes / 2**20,
            back.nbytes / 2**20,
            "MiB",
            "<= 0.05",
        ),
    ]


if __name__ == "__main__":
    harness.main(run, COUNT)
