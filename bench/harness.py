"""Shared pieces of the benchmarks: a throw-away local server, timing, and result rows."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from smalto.client import MosaicoClient

T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    """One benchmark line: smalto's figure against its same-run baseline."""

    scenario: str
    smalto: float
    baseline: float
    unit: str
    target: str
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        """smalto / baseline (for rates) or baseline / smalto (for times)."""
        return self.smalto / self.baseline

    @property
    def met(self) -> bool:
        """Whether the target (``>= x`` or ``<= x`` on the ratio) holds."""
        op, value = self.target.split()
        return self.ratio >= float(value) if op == ">=" else self.ratio <= float(value)

    def line(self) -> str:
        """A printable summary."""
        verdict = "ok" if self.met else "MISSED"
        return (
            f"{self.scenario}: smalto {self.smalto:,.1f} {self.unit}, baseline "
            f"{self.baseline:,.1f} {self.unit}, ratio {self.ratio:.2f} (target {self.target}) "
            f"{verdict}"
        )


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """``(result, seconds)`` of one call."""
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


def best_of(rounds: int, *calls: Callable[[int], object]) -> list[float]:
    """Seconds of each of ``calls``, the best of ``rounds`` rounds.

    Within a round the calls run one after the other, so smalto and its baseline take turns: a
    slow spell of a shared machine (which only ever adds time) hits both alike, and the best
    round of each is its figure. Each call gets the round number (0, 1, …), to name what it
    creates.
    """
    best = [float("inf")] * len(calls)
    for round_number in range(rounds):
        for index, call in enumerate(calls):
            start = time.perf_counter()
            call(round_number)
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ROUNDS = 3
"""Rounds of the `best_of` scenarios."""


@contextmanager
def local_server(chunk_size_mb: int = 64) -> Iterator[tuple[Path, MosaicoClient]]:
    """A `smalto serve` process over a temporary data directory, with a connected client.

    The server runs in its own process, as in a deployment, so it does not share the
    benchmark's GIL. Yields the store directory and the client.
    """
    with tempfile.TemporaryDirectory(prefix="smalto-bench-") as tmp:
        data = Path(tmp) / "data"
        port = _free_port()
        command = [sys.executable, "-m", "smalto.cli", "serve", "--port", str(port)]
        command += ["--data", str(data), "--chunk-size-mb", str(chunk_size_mb)]
        command += ["--log-level", "warning"]
        process = subprocess.Popen(command)
        try:
            client = MosaicoClient.connect("127.0.0.1", port, timeout=30)
            try:
                yield data / "store", client
            finally:
                client.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def main(run: Callable[[int], Sequence[Result]], default: int) -> None:
    """Run one scenario from the command line (size from ``argv[1]``) and print its lines."""
    for result in run(int(sys.argv[1]) if len(sys.argv) > 1 else default):
        print(result.line())
