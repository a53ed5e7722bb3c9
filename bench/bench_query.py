"""A selective content query over 200 IMU sequences, against DuckDB brute-forcing the same files.

The archive: 200 sequences x 1 IMU topic x 100,000 rows (1 kHz), written as raw Arrow uploads
(one columnar DoPut per topic) to a `smalto serve` subprocess with 4 MiB chunks. Acceleration x
stays within ±1 except one spike in one sequence, so ``IMU.Q.acceleration.x.gt(10.0)`` matches
one chunk of hundreds (< 1 %).

smalto answers through Flight (`MosaicoClient.query`, with time ranges); the baseline is DuckDB
reading every chunk's Parquet file (same store, same run) with the same condition and grouping
by file. Both are warm, the median of several runs. The scenario also prints how many chunks the
catalog stats pruned and how many were scanned (the engine run in-process on the same catalog).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.flight as flight

from bench.bench_backends import imu_table, ingest
from bench.harness import Result, local_server
from smalto import IMU, QueryOntologyCatalog
from smalto.catalog import Catalog
from smalto.catalog.database import sqlite_url
from smalto.engine import QueryEngine, ScanStats
from smalto.protocol.actions import QueryRequest
from smalto.protocol.query import parse_query
from smalto.storage import LocalObjectStore

SEQUENCES = 200
ROWS = 100_000
SPIKE_SEQUENCE = 137
SPIKE_ROW = 54_321
THRESHOLD = 10.0
RUNS = 7


def _table(index: int) -> pa.Table:
    """The IMU rows of sequence ``index``: x = sin, plus the spike in one sequence."""
    table = imu_table(ROWS)
    acceleration = table.column("acceleration").combine_chunks()
    x = np.sin(np.arange(ROWS) / 97.0 + index)
    if index == SPIKE_SEQUENCE:
        x[SPIKE_ROW] = 50.0
    fields = list(acceleration.type)
    children = [pa.array(x)] + [acceleration.field(i) for i in range(1, len(fields))]
    spiked = pa.StructArray.from_arrays(children, fields=fields)
    column = table.schema.get_field_index("acceleration")
    return table.set_column(column, table.schema.field(column), spiked)


def _median(call: object, runs: int = RUNS) -> float:
    """Median wall time of ``call()`` in ms, after one warm-up call."""
    call()  # type: ignore[operator]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def _duckdb(store: Path) -> list[tuple[str, int, int]]:
    glob = str(store / "**" / "*.parquet")
    return duckdb.sql(
        "SELECT filename, min(timestamp_ns), max(timestamp_ns) "
        f"FROM read_parquet('{glob}', filename = true) "
        f"WHERE acceleration.x > {THRESHOLD} GROUP BY filename"
    ).fetchall()


def _scan_stats(data_dir: Path) -> ScanStats:
    catalog = Catalog(sqlite_url(data_dir / "catalog.db"))
    try:
        engine = QueryEngine(catalog.db, LocalObjectStore(data_dir / "store", fsync=False))
        stats = ScanStats()
        body = {"ontology": {"imu.acceleration.x": {"$gt": THRESHOLD}}}
        engine.run(parse_query(QueryRequest.model_validate(body)), stats)
        return stats
    finally:
        catalog.close()


def run() -> list[Result]:
    """Build the archive, time both sides, print the pruning figures."""
    with local_server(chunk_size_mb=4) as (store, client):
        raw = flight.FlightClient(f"grpc://{client.host}:{client.port}")
        for index in range(SEQUENCES):
            ingest(raw, _table(index), f"drive_{index:03d}")
        raw.close()
        condition = IMU.Q.acceleration.x.gt(THRESHOLD)
        query = QueryOntologyCatalog(condition, include_timestamp_range=True)
        response = client.query(query)
        assert [i.sequence.name for i in response] == [f"drive_{SPIKE_SEQUENCE:03d}"]
        assert len(_duckdb(store)) == 1
        smalto_ms = _median(lambda: client.query(query))
        duckdb_ms = _median(lambda: _duckdb(store))
        stats = _scan_stats(store.parent)
    print(
        f"query: {stats.chunks_total} chunks, {stats.chunks_pruned} pruned by catalog stats, "
        f"{stats.chunks_scanned} scanned ({stats.row_groups_read} row groups read, "
        f"{stats.row_groups_skipped} skipped)",
        flush=True,
    )
    return [
        Result(
            scenario=f"selective content query, {SEQUENCES} x {ROWS:,} IMU rows (vs DuckDB)",
            smalto=smalto_ms,
            baseline=duckdb_ms,
            unit="ms",
            target="<= 0.5",
            higher_is_better=False,
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result.line())
