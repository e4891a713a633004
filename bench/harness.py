"""Shared by the benchmarks: a database to measure on, timing, and the printed comparison table."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

import migrations
from phancong.embedded import pgserver
from tests.postgres import with_database


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


@asynccontextmanager
async def bench_database() -> AsyncIterator[str]:
    """The URL of a fresh, migrated database on the bench server, dropped afterwards."""
    with bench_server() as admin_url:
        name = f"phancong_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            url = with_database(admin_url, name)
            conn = await asyncpg.connect(url)
            try:
                await migrations.migrate(conn)
            finally:
                await conn.close()
            yield url
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


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
