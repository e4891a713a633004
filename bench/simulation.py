"""`make bench-simulate`: 500 assignments living through 12 months, on a throwaway database.

A load test of the whole system (workflows, activities, event store, projector): prints the simulation's
totals and its wall-clock time. The suite runs a smaller one (tests/test_simulation.py).
"""

from __future__ import annotations

import asyncio
import os

import worker
from bench.harness import bench_database
from events import EventStore
from events.catalog import REGISTRY
from phancong.database import create_pool
from phancong.embedded import time_skipping_server
from phancong.logs import configure_logging
from phancong.process import tune_garbage_collector
from simulation.runner import Simulation, SimulationSettings

SETTINGS = SimulationSettings(
    communes=int(os.environ.get("PHANCONG_BENCH_COMMUNES", "50")),
    cells=int(os.environ.get("PHANCONG_BENCH_CELLS", "500")),
    members=int(os.environ.get("PHANCONG_BENCH_MEMBERS", "560")),
    months=int(os.environ.get("PHANCONG_BENCH_MONTHS", "12")),
    seed=7,
)


async def main() -> None:
    tune_garbage_collector()
    configure_logging("info", "console")
    async with bench_database() as url:
        pool = await create_pool(url, min_size=4, max_size=20)
        env = await time_skipping_server()
        try:
            await worker.ensure_search_attributes(env.client)
            store = await EventStore.open(pool, REGISTRY)
            report = await Simulation(pool, store, SETTINGS, env).run()
        finally:
            await env.shutdown()
            await pool.close()
    print(f"\nsimulation: {report.assignments} assignments, {report.simulated_days} days, {os.cpu_count()} cores")
    print(f"  wall-clock            {report.wall_seconds:10.1f} s")
    print(f"  events written        {report.events:10,}   ({report.events / report.wall_seconds:,.0f} events/s)")
    for event_type, count in report.events_by_type.items():
        print(f"    {event_type:24} {count:8,}")
    print("  grades                " + ", ".join(f"{g} {n}" for g, n in report.grades.items()))


if __name__ == "__main__":
    asyncio.run(main())
