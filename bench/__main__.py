"""Run every benchmark and write bench/RESULTS.md (``make bench``)."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path

from bench import (
    bench_backends,
    bench_columnar,
    bench_compat,
    bench_images,
    bench_messages,
    bench_parallel,
    bench_query,
)
from bench.harness import Result

SCENARIOS = [
    bench_messages,
    bench_compat,
    bench_columnar,
    bench_images,
    bench_parallel,
    bench_backends,
    bench_query,
]


def _table(results: list[Result]) -> str:
    rows = [
        "| scenario | smalto | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r.scenario} | {r.smalto:,.0f} {r.unit} | {r.baseline:,.0f} {r.unit} "
            f"| {r.ratio:.2f} | {r.target} | {'yes' if r.met else 'no'} |"
        )
    return "\n".join(rows)


def main() -> None:
    """Run the scenarios one after the other, print and record them."""
    results: list[Result] = []
    for scenario in SCENARIOS:
        for result in scenario.run():
            print(result.line(), flush=True)
            results.append(result)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"# Benchmark results\n\nMeasured {stamp} on {platform.machine()}, "
        f"Python {platform.python_version()}, by `make bench`.\n\n{_table(results)}\n"
    )
    Path(__file__).with_name("RESULTS.md").write_text(text)


if __name__ == "__main__":
    main()
