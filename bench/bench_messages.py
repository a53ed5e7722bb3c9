"""Per-message ingest and read of 1,000,000 IMU messages, and columnar read, against baselines.

- ingest: ``TopicWriter.push`` of validated messages vs merely constructing them (target >= 0.6);
- per-message read: ``get_data_streamer`` vs constructing the messages (target >= 0.5);
- columnar read: ``to_arrow()`` vs ``pyarrow.parquet.read_table`` of the same chunks (>= 0.5).
"""

from __future__ import annotations

import pyarrow.parquet as pq

from bench import harness
from bench.harness import Result, local_server, timed
from bench.samples import imu_message, push_imu

COUNT = 1_000_000


def _construct(count: int) -> int:
    n = 0
    for i in range(count):
        imu_message(i)
        n += 1
    return n


def run(count: int = COUNT) -> list[Result]:
    """Run the three scenarios; returns their results."""
    _, construct_s = timed(lambda: _construct(count))
    construct_rate = count / construct_s
    with local_server() as (store, client):
        _, ingest_s = timed(lambda: push_imu(client, "bench_messages", count))
        handler = client.topic_handler("bench_messages", "/imu")
        assert handler is not None

        def iterate() -> int:
            return sum(1 for _ in handler.get_data_streamer())

        read_count, read_s = timed(iterate)
        assert read_count == count, read_count
        table, arrow_s = timed(handler.to_arrow)
        files = sorted(store.rglob("*.parquet"))
        baseline_table, parquet_s = timed(lambda: pq.read_table(files))
        assert table.num_rows == baseline_table.num_rows == count
    rate = "msg/s"
    return [
        Result("per-message ingest (push)", count / ingest_s, construct_rate, rate, ">= 0.6"),
        Result("per-message read (streamer)", count / read_s, construct_rate, rate, ">= 0.5"),
        Result("columnar read (to_arrow)", count / arrow_s, count / parquet_s, "rows/s", ">= 0.5"),
    ]


if __name__ == "__main__":
    harness.main(run, COUNT)
