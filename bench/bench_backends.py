"""IMU ingest and full read on PostgreSQL + S3 against SQLite + local disk, in the same run.

Both servers run as `smalto serve` subprocesses. Each scenario uploads 2,000,000 IMU rows as one
columnar DoPut (after the sequence/session/topic create actions) and reads the topic back whole
with GetFlightInfo + DoGet. The result is postgres+s3 against the sqlite+local baseline.

"Where the time goes" lines time the same work in pieces, in process: Parquet encoding (CPU, the
same on every backend), one chunk PUT and GET per store, and one catalog transaction per catalog.

The remote backends come from ``SMALTO_TEST_POSTGRES_URL`` and ``SMALTO_TEST_S3_ENDPOINT`` (what
`.ci/run` exports); without them the scenario is skipped with a message.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight

from bench import harness
from bench.harness import Result, timed
from smalto.catalog import Catalog
from smalto.ontology import IMU
from smalto.ontology.schema import message_schema
from smalto.storage import open_object_store
from smalto.storage.chunk_codec import encode_chunk

COUNT = 2_000_000
T0_NS = 1_700_000_000_000_000_000
_SERVING = re.compile(rb"serving on grpc://127\.0\.0\.1:(\d+),")
_BUCKET = "smalto-bench"


def imu_table(count: int) -> pa.Table:
    """``count`` IMU rows at 1 kHz, built column by column."""
    schema = message_schema(IMU)
    i = np.arange(count, dtype=np.float64)
    columns: dict[str, pa.Array] = {
        "timestamp_ns": pa.array(T0_NS + np.arange(count, dtype=np.int64) * 1_000_000),
        "recording_timestamp_ns": pa.nulls(count, pa.int64()),
        "frame_id": pa.array(np.full(count, "imu_link", dtype=object), pa.string()),
        "sequence_id": pa.array(np.arange(count, dtype=np.uint32)),
    }
    values = {
        "acceleration": {"x": 0.001 * i, "y": np.sin(i / 100), "z": 9.81 + 0 * i},
        "angular_velocity": {"x": np.cos(i / 50), "y": 0.01 + 0 * i, "z": -0.02 + 0 * i},
        "orientation": {"x": 0 * i, "y": 0 * i, "z": np.sin(i / 1e4), "w": np.cos(i / 1e4)},
    }
    for name, parts in values.items():
        kind = schema.field(name).type
        children = [
            pa.array(parts[f.name]) if f.name in parts else pa.nulls(count, f.type) for f in kind
        ]
        columns[name] = pa.StructArray.from_arrays(children, fields=list(kind))
    return pa.table(columns, schema=schema)


def _act(client: flight.FlightClient, name: str, body: dict[str, object]) -> object:
    [result] = client.do_action(flight.Action(name, json.dumps(body).encode()))
    return json.loads(result.body.to_pybytes())["response"]


def ingest(client: flight.FlightClient, table: pa.Table, name: str) -> None:
    """Create a sequence with one IMU topic and upload ``table`` in one DoPut."""
    _act(client, "sequence_create", {"locator": name, "user_metadata": {"bench": True}})
    session = _act(client, "session_create", {"locator": name})
    assert isinstance(session, dict)
    topic = _act(
        client,
        "topic_create",
        {
            "session_uuid": session["uuid"],
            "locator": f"{name}/imu",
            "serialization_format": "default",
            "ontology_tag": "imu",
            "user_metadata": {},
        },
    )
    assert isinstance(topic, dict)
    command = json.dumps({"resource_locator": f"{name}/imu", "topic_uuid": topic["uuid"]})
    writer, _ = client.do_put(flight.FlightDescriptor.for_command(command.encode()), table.schema)
    writer.write_table(table, max_chunksize=64 * 1024)
    writer.close()
    _act(client, "session_finalize", {"session_uuid": session["uuid"]})


def read_all(client: flight.FlightClient, name: str) -> pa.Table:
    """The whole topic through its FlightInfo's ticket."""
    command = json.dumps({"resource_locator": f"{name}/imu"}).encode()
    endpoint = client.get_flight_info(flight.FlightDescriptor.for_command(command)).endpoints[0]
    return client.do_get(endpoint.ticket).read_all()


@contextmanager
def serve(args: list[str], workdir: Path) -> Iterator[flight.FlightClient]:
    """A `smalto serve` subprocess on a free port with ``args``; yields a client of it."""
    log = workdir / f"server-{uuid.uuid4().hex[:8]}.log"
    command = [sys.executable, "-m", "smalto.cli", "serve", "--port", "0", "--log-level", "info"]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command + args, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := _SERVING.search(log.read_bytes())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"smalto serve did not start:\n{log.read_text()}")
            time.sleep(0.05)
        client = flight.FlightClient(f"grpc://127.0.0.1:{found[1].decode()}")
        try:
            yield client
        finally:
            client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


@contextmanager
def remote_backends() -> Iterator[tuple[str, str, str] | None]:
    """``(catalog URL, store URL, S3 endpoint)`` on a fresh schema and prefix, or None."""
    base, endpoint = (
        os.environ.get("SMALTO_TEST_POSTGRES_URL"),
        os.environ.get("SMALTO_TEST_S3_ENDPOINT"),
    )
    if not base or not endpoint:
        yield None
        return
    from tests.backends import postgres_admin_engine, postgres_schema, s3_filesystem

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "smalto-bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "smalto-bench")
    filesystem = s3_filesystem(endpoint, allow_bucket_creation=True)
    filesystem.create_dir(_BUCKET)
    prefix = f"{_BUCKET}/{uuid.uuid4().hex}"
    admin = postgres_admin_engine()
    try:
        with postgres_schema(admin) as catalog_url:
            yield catalog_url, f"s3://{prefix}", endpoint
    finally:
        admin.dispose()
        filesystem.delete_dir(prefix)


def _scenario(client: flight.FlightClient, table: pa.Table) -> tuple[float, float]:
    """(ingest s, full read s) of ``table``."""
    _, ingest_s = timed(lambda: ingest(client, table, "bench_imu"))
    back, read_s = timed(lambda: read_all(client, "bench_imu"))
    assert back.num_rows == table.num_rows, back.num_rows
    return ingest_s, read_s


def _where_time_goes(table: pa.Table, remote: tuple[str, str, str], workdir: Path) -> None:
    """Print the cost of each piece of the write and read path, per backend."""
    chunk = table.slice(0, min(table.num_rows, 500_000))
    encoded, encode_s = timed(lambda: encode_chunk(chunk, "default"))
    mib = encoded.data.size / 2**20
    print(f"  parquet encode of {chunk.num_rows:,} rows -> {mib:.1f} MiB: {encode_s:.2f} s")
    catalog_url, store_url, endpoint = remote
    stores = {
        "local": open_object_store(workdir / "store"),
        "s3": open_object_store(store_url, s3_endpoint=endpoint),
    }
    for name, store in stores.items():
        _, put_s = timed(lambda s=store: s.put("probe/chunk.parquet", encoded.data))
        _, get_s = timed(lambda s=store: s.open("probe/chunk.parquet").read())
        print(f"  {name} store: PUT {mib / put_s:,.0f} MiB/s, GET {mib / get_s:,.0f} MiB/s")
        store.delete_prefix("probe/")
    catalogs = {"sqlite": f"sqlite:///{workdir / 'probe.db'}", "postgres": catalog_url}
    for name, url in catalogs.items():
        catalog = Catalog(url)
        _, each_s = timed(lambda c=catalog: [c.create_sequence(f"p{i}", {}) for i in range(50)])
        print(f"  {name} catalog: {each_s / 50 * 1000:.2f} ms per create transaction")
        catalog.close()


def run(count: int = COUNT) -> list[Result]:
    """Run ingest and read on both backend pairs; returns postgres+s3 vs sqlite+local."""
    with remote_backends() as remote:
        if remote is None:
            print(
                "bench_backends skipped: set SMALTO_TEST_POSTGRES_URL and SMALTO_TEST_S3_ENDPOINT "
                "(or run it under .ci/run's backends) to compare postgres+s3 with sqlite+local"
            )
            return []
        catalog_url, store_url, endpoint = remote
        table = imu_table(count)
        with tempfile.TemporaryDirectory(prefix="smalto-bench-") as tmp:
            workdir = Path(tmp)
            with serve(["--data", str(workdir / "data")], workdir) as client:
                local_ingest, local_read = _scenario(client, table)
            remote_args = ["--catalog", catalog_url, "--store", store_url]
            remote_args += ["--s3-endpoint", endpoint, "--data", str(workdir / "unused")]
            with serve(remote_args, workdir) as client:
                remote_ingest, remote_read = _scenario(client, table)
            print("where the time goes:")
            _where_time_goes(table, remote, workdir)
    rate = "rows/s"
    return [
        Result(
            "IMU ingest, postgres+s3 vs sqlite+local",
            count / remote_ingest,
            count / local_ingest,
            rate,
            ">= 0.5",
        ),
        Result(
            "IMU full read, postgres+s3 vs sqlite+local",
            count / remote_read,
            count / local_read,
            rate,
            ">= 0.5",
        ),
    ]


if __name__ == "__main__":
    harness.main(run, COUNT)
