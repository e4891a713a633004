"""`make bench-audit`: a million events, and what auditors and HQ then wait for.

On a fresh database (embedded, or PHANCONG_BENCH_DATABASE_URL's server), a synthetic directive's assignment
lives are appended by 8 writers until the log holds PHANCONG_BENCH_AUDIT_EVENTS events (default 1,000,000).
For the middle third, the catch-up projector follows in a process of its own, as the worker's does: the
append rate with and without it, and its lag behind the writers (events not yet applied, and the age of
the oldest of them), sampled four times a second. Then, each beside its raw limit measured in the same run:

- ``projections rebuild`` (every read model from the whole log, swapped in) in events/s, beside a raw
  server-side cursor over the same table (rows fetched, nothing decoded);
- ``history member`` (the library call the command makes: events, fold, redaction) p50/p95 over 200 members,
  beside the bare indexed SELECT of the same rows;
- ``report`` for the directive p50/p95 over 20 runs;
- ``audit seal`` and ``audit verify`` (every chain, every seal).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import signal
import statistics
import time
from datetime import date

from temporalio.client import Client

from app.history import history
from app.reports import report
from app.scopes import Subject
from bench.harness import bench_database
from domain.actors import Actor, Role
from events import EventStore, seals
from events.catalog import REGISTRY
from gateway import Connection
from infra.postgres import Pool, create_pool
from phancong.composition import postgres_services
from phancong.process import tune_garbage_collector
from phancong.settings import Settings
from projections.catalog import all_projections
from projections.rebuild import rebuild
from projections.runner import Projector
from simulation import synthetic

TARGET = int(os.environ.get("PHANCONG_BENCH_AUDIT_EVENTS", "1000000"))
MONTHS = 24
PROVINCE = synthetic.Province("1625-NQ/ĐUBP", communes=100, cells_per_commune=10, starts_on=date(2026, 1, 1),
                              months=MONTHS)  # fmt: skip
AUDITOR = Actor(role=Role.AUDITOR)


def _follow(url: str) -> None:
    """The projector, in a process of its own, until SIGTERM."""

    async def follow() -> None:
        pool = await create_pool(url, min_size=1, max_size=2)
        store = await EventStore.open(pool, REGISTRY)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await Projector(pool, store, all_projections()).run(stop)
        await pool.close()

    asyncio.run(follow())


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def lag(pool: Pool) -> tuple[int, float]:
    """(settled events the projector has not applied, age in seconds of the oldest of them)."""
    row = await pool.fetchrow(
        "SELECT count(*) AS n, extract(epoch FROM now() - min(recorded_at)) AS age FROM events "
        "WHERE global_position > coalesce((SELECT position FROM projection_checkpoints WHERE name = 'main'), 0) "
        "AND global_position < phancong_settled_position()"
    )
    assert row is not None
    return int(row["n"]), float(row["age"] or 0.0)


async def drained(pool: Pool) -> None:
    """Once the projector has applied every settled event (at most ten minutes)."""
    for _ in range(12_000):
        if (await lag(pool))[0] == 0:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the projector did not catch up in ten minutes")


async def write(store: EventStore, first: int, assignments: int) -> tuple[int, float]:
    """Append ``assignments`` lives from the ``first``; (events, seconds)."""
    started = time.perf_counter()
    written = await synthetic.write(store, PROVINCE, assignments, first=first, writers=8)
    return written, time.perf_counter() - started


async def fill(pool: Pool, store: EventStore, url: str, lives: int) -> int:
    """Write the log; the middle third with the projector following. Prints appends and lag; the total."""
    third = lives // 3
    a_events, a_seconds = await write(store, 0, third)
    follower = multiprocessing.get_context("spawn").Process(target=_follow, args=(url,))
    follower.start()
    await drained(pool)  # the first third applied, so the samples show the steady state
    samples: list[tuple[int, float]] = []
    writing = asyncio.create_task(write(store, third, third))
    while not writing.done():
        samples.append(await lag(pool))
        await asyncio.sleep(0.25)
    b_events, b_seconds = await writing
    stopped = time.perf_counter()
    await drained(pool)
    drain = time.perf_counter() - stopped
    assert follower.pid is not None
    os.kill(follower.pid, signal.SIGTERM)
    follower.join()
    c_events, c_seconds = await write(store, 2 * third, lives - 2 * third)
    total = a_events + b_events + c_events
    print(f"\nlog: {total:,} events ({lives:,} assignment lives of one directive, 8 writers)")
    print(f"appends, projector idle        {(a_events + c_events) / (a_seconds + c_seconds):12,.0f} ev/s")
    print(f"appends, projector following   {b_events / b_seconds:12,.0f} ev/s  (in a process of its own)")
    behind = [n for n, _ in samples] or [0]
    p50n, p95n = quantiles([float(n) for n in behind])
    p50a, p95a = quantiles([age for _, age in samples] or [0.0])
    print(
        f"projector lag while following  events behind p50 {p50n:,.0f} p95 {p95n:,.0f} max {max(behind):,}; "
        f"oldest unapplied p50 {p50a:.2f} s p95 {p95a:.2f} s; caught up {drain:.2f} s after the writers stopped"
    )
    return total


async def rebuild_beside_raw(pool: Pool, store: EventStore) -> None:
    started = time.perf_counter()
    rows = 0
    async with pool.acquire() as c, c.transaction(readonly=True):
        async for _ in c.cursor("SELECT * FROM events ORDER BY global_position", prefetch=5000):
            rows += 1
    raw = rows / (time.perf_counter() - started)
    result = await rebuild(pool, store, batch=5000)
    print(
        f"\nprojections rebuild            {result.events_per_second:12,.0f} ev/s  ({result.seconds:.1f} s); "
        f"raw cursor over events {raw:,.0f} rows/s: ratio {result.events_per_second / raw:.2f}"
    )


async def latencies(pool: Pool, store: EventStore, lives: int) -> None:
    rng = random.Random(1)
    s = postgres_services(pool, store, Connection(_no_temporal), settings=Settings())
    ours: list[float] = []
    bare: list[float] = []
    events = 0
    for member in (f"SYN-DV{rng.randrange(lives):06d}" for _ in range(200)):
        started = time.perf_counter()
        events = len((await history(s, AUDITOR, Subject.MEMBER, member, None)).entries)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        await pool.fetch("SELECT * FROM events WHERE member_id = $1 ORDER BY global_position", member)
        bare.append(time.perf_counter() - started)
    p50, p95 = quantiles(ours)
    r50, r95 = quantiles(bare)
    print(
        f"history member                 p50 {1000 * p50:7.1f} ms  p95 {1000 * p95:7.1f} ms  "
        f"({events} events each); bare SELECT p50 {1000 * r50:.1f} ms p95 {1000 * r95:.1f} ms"
    )
    times = []
    for _ in range(20):
        started = time.perf_counter()
        figures = await report(s, Actor(role=Role.HQ), directive=PROVINCE.directive_id)
        times.append(time.perf_counter() - started)
    p50, p95 = quantiles(times)
    print(
        f"report (one directive)         p50 {1000 * p50:7.1f} ms  p95 {1000 * p95:7.1f} ms  "
        f"({figures.meetings_recorded:,} meetings, {figures.cells_in_scope:,} cells)"
    )


async def _no_temporal() -> Client:
    raise AssertionError("the audit benchmark reads only")


async def audit(pool: Pool, store: EventStore, total: int) -> None:
    started = time.perf_counter()
    made = await seals.seal(pool)
    seal_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chains = await store.verify()
    log = await seals.verify_log(pool)
    verify_seconds = time.perf_counter() - started
    assert made is not None
    assert not chains
    assert not log.problems
    print(
        f"audit seal                     {made.events / seal_seconds:12,.0f} ev/s  ({seal_seconds:.1f} s)\n"
        f"audit verify (chains + seals)  {total / verify_seconds:12,.0f} ev/s  ({verify_seconds:.1f} s)"
    )


async def main() -> None:
    tune_garbage_collector()
    lives = max(3, TARGET // 58)  # a synthetic life is about 58 events
    async with bench_database() as url:
        pool = await create_pool(url, min_size=2, max_size=12)
        store = await EventStore.open(pool, REGISTRY)
        total = await fill(pool, store, url, lives)
        await Projector(pool, store, all_projections()).catch_up()
        await rebuild_beside_raw(pool, store)
        await latencies(pool, store, lives)
        await audit(pool, store, total)
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
