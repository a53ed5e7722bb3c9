"""A Flight server that accepts DoPut streams and drops every batch: the images' baseline.

Run as ``python -m bench.discard_server``; it prints ``port <n>`` once it listens on loopback.
It reads each stream to its end (so the bytes really cross the wire) and keeps nothing.
"""

from __future__ import annotations

import pyarrow.flight as flight


class DiscardServer(flight.FlightServerBase):  # type: ignore[misc]
    """Reads uploads to their end and keeps nothing."""

    def do_put(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.FlightMetadataWriter,
    ) -> None:
        for _ in reader:
            pass


def main() -> None:
    """Serve on a free loopback port until killed."""
    server = DiscardServer("grpc://127.0.0.1:0")
    print(f"port {server.port}", flush=True)
    server.serve()


if __name__ == "__main__":
    main()
