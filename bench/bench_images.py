"""500 raw 1080p images (1920 x 1080 rgb8, 6 MB each) pushed as `Image` messages into a local
`smalto serve`, vs the same bytes sent with a bare Flight DoPut to a server that discards them.

Target: smalto >= 0.5x the loopback rate (MB/s). One 6 MB buffer is shared by every message (the
server stores blobs uncompressed, so content does not matter): memory holds a few images, never
all 3 GB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.flight as flight

from bench import harness
from bench.harness import ROUNDS, Result, best_of, local_server
from smalto import Image, Message
from smalto.ontology import messages_to_batch

COUNT = 500
WIDTH, HEIGHT = 1920, 1080
T0_NS = 1_700_000_000_000_000_000


def image_message(pixels: bytes, i: int) -> Message:
    """Frame ``i`` at 30 Hz carrying ``pixels``."""
    return Message(
        timestamp_ns=T0_NS + i * 33_333_333,
        frame_id="camera",
        data=Image(
            data=pixels,
            format="raw",
            width=WIDTH,
            height=HEIGHT,
            stride=WIDTH * 3,
            encoding="rgb8",
            is_bigendian=False,
        ),
    )


@contextmanager
def discard_server() -> Iterator[flight.FlightClient]:
    """`bench.discard_server` in its own process (like `smalto serve`), and a client of it."""
    command = [sys.executable, "-m", "bench.discard_server"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().split()[1])
        client = flight.FlightClient(f"grpc://127.0.0.1:{port}")
        client.wait_for_available(timeout=30)
        try:
            yield client
        finally:
            client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def loopback(client: flight.FlightClient, batch: pa.RecordBatch, count: int) -> None:
    """One DoPut of ``count`` one-image batches (built once: only the transfer is timed)."""
    descriptor = flight.FlightDescriptor.for_command(b"discard")
    writer, _ = client.do_put(descriptor, batch.schema)
    for _ in range(count):
        writer.write_batch(batch)
    writer.done_writing()
    writer.close()


def run(count: int = COUNT) -> list[Result]:
    """Image ingest rate against the discard loopback, in MB/s (best of `ROUNDS` alternating
    rounds each)."""
    pixels = os.urandom(WIDTH * HEIGHT * 3)
    megabytes = count * len(pixels) / 1e6
    batch = messages_to_batch([image_message(pixels, 0)], Image)
    with discard_server() as discard, local_server() as (_store, client):

        def ingest(round_number: int) -> None:
            with client.sequence_create(f"bench_images_{round_number}", {}) as writer:
                camera = writer.topic_create("camera", {}, Image)
                for i in range(count):
                    camera.push(image_message(pixels, i))

        loopback_s, ingest_s = best_of(ROUNDS, lambda _: loopback(discard, batch, count), ingest)
    return [
        Result(
            "500 raw 1080p images push vs DoPut discard loopback",
            megabytes / ingest_s,
            megabytes / loopback_s,
            "MB/s",
            ">= 0.5",
        )
    ]


if __name__ == "__main__":
    harness.main(run, COUNT)
