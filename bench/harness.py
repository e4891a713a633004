"""Shared by the benchmarks: a database to measure on, timing, and the printed comparison table."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from phancong.embedded import pgserver


@contextmanager
def bench_server() -> Iterator[str]:
    """PHANCONG_BENCH_DATABASE_URL's server, else a throwaway embedded PostgreSQL (deleted afterwards)."""
    configured = os.environ.get("PHANCONG_BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="phancong-bench-") as tmp:
        server = pgserver().get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


async def rate(count: int, work: Callable[[], Awaitable[object]]) -> float:
    """Items per second of one run of ``work`` handling ``count`` items."""
    start = time.perf_counter()
    await work()
    return count / (time.perf_counter() - start)


@dataclass
class Comparison:
    shape: str
    ours: float
    raw: float
    raw_method: str
    target: float = 0.7

    @property
    def ratio(self) -> float:
        return self.ours / self.raw


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(title: str, rows: list[Comparison], unit: str = "ev/s") -> None:
    print(f"\n{title}")
    header = f"{'shape':34} {'phancong ' + unit:>16} {'raw ' + unit:>12}  {'raw method':26} {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = "ok" if row.ratio >= row.target else "BELOW"
        print(
            f"{row.shape:34} {row.ours:16,.0f} {row.raw:12,.0f}  {row.raw_method:26} {row.ratio:6.2f}  "
            f">= {row.target:.1f} {verdict}"
        )
