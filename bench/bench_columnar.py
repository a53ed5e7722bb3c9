"""Columnar IMU: 5,000,000 rows in with `push_batch`, back out with `to_arrow`, and a 1 % window.

- ingest: `TopicWriter.push_batch` of one table into a local `smalto serve` (zstd Parquet on
  disk, durable) vs ``pyarrow.parquet.write_table`` of the same table with the server's settings,
  to a local file (target >= 0.7);
- full read: `TopicHandler.to_arrow()` vs ``pyarrow.parquet.read_table`` of the same chunk files
  (target >= 0.6);
- 1 % window: ``to_arrow(start, end)`` of 1 % of the time range vs the full read, in time and in
  bytes received (target <= 0.05 for both).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from bench import harness
from bench.bench_backends import T0_NS, imu_table
from bench.harness import ROUNDS, Result, best_of, local_server
from smalto import IMU
from smalto.client import MosaicoClient
from smalto.storage.chunk_codec import parquet_write_options

COUNT = 5_000_000
WINDOW_REPEATS = 5


def _delete_sequences(client: MosaicoClient, names: list[str]) -> None:
    """Delete the sequences ``names`` (locked by their clean finalize)."""
    for name in names:
        client.sequence_unlock(name)
        client.sequence_delete(name)


def run(count: int = COUNT) -> list[Result]:
    """Ingest, full read and 1 % window of ``count`` IMU rows; returns their results.

    Ingest and its baseline alternate for `ROUNDS` rounds (best of each), as do the full read
    and its baseline; the window is the best of `WINDOW_REPEATS`.
    """
    table = imu_table(count)
    options = parquet_write_options(table)
    with (
        tempfile.TemporaryDirectory(prefix="smalto-bench-pq-") as tmp,
        local_server() as (store, client),
    ):

        def write(round_number: int) -> None:
            pq.write_table(table, Path(tmp) / f"imu-{round_number}.parquet", **options)

        def ingest(round_number: int) -> None:
            with client.sequence_create(f"bench_columnar_{round_number}", {}) as writer:
                writer.topic_create("imu", {}, IMU).push_batch(table)

        write_s, ingest_s = best_of(ROUNDS, write, ingest)
        _delete_sequences(client, [f"bench_columnar_{i}" for i in range(1, ROUNDS)])
        handler = client.topic_handler("bench_columnar_0", "/imu")
        assert handler is not None
        files = sorted(store.rglob("*.parquet"))
        back = handler.to_arrow()
        assert back.num_rows == pq.read_table(files).num_rows == count
        read_s, parquet_s = best_of(
            ROUNDS, lambda _: handler.to_arrow(), lambda _: pq.read_table(files)
        )
        start = T0_NS + (count // 2) * 1_000_000
        end = start + (count // 100) * 1_000_000
        window = handler.to_arrow(start, end)
        assert window.num_rows == count // 100, window.num_rows
        (window_s,) = best_of(WINDOW_REPEATS, lambda _: handler.to_arrow(start, end))
    rows = "rows/s"
    return [
        Result(
            "IMU 5M push_batch vs pq.write_table", count / ingest_s, count / write_s, rows, ">= 0.7"
        ),
        Result(
            "IMU full to_arrow vs pq.read_table", count / read_s, count / parquet_s, rows, ">= 0.6"
        ),
        Result("1 % window vs full read, time", window_s * 1e3, read_s * 1e3, "ms", "<= 0.05"),
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
