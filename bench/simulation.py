"""`make bench-simulate`: 500 assignments living through 12 months, on a throwaway database.

A load test of the whole system (workflows, activities, event store, projector): prints the simulation's
totals and its wall-clock time. Printed beside it, the raw limit measured in the same run: a fresh server of
the same kind living through the same days, advanced day by day as the simulation does, with as many workflows
as there were assignments that do nothing but wake (a timer, then an activity that does nothing) as often as
the simulation wrote events per assignment. The suite runs a smaller simulation (tests/test_simulation.py).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import worker
from bench.empty_workflow import SleepingWorkflow, nothing
from bench.harness import bench_database
from domain.calendar import VIETNAM, local_date
from events import EventStore
from events.catalog import REGISTRY
from infra.postgres import create_pool
from phancong.embedded import advance_clock, time_skipping_server
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


async def raw_limit(env: WorkflowEnvironment, workflows: int, wakes: int, days: int) -> float:
    """Seconds for ``workflows`` sleeping workflows, ``wakes`` wakes each spread over ``days`` days (their
    phases staggered), to live through those days with the clock advanced to 18:00 each day."""
    task_queue = f"raw-{uuid.uuid4()}"
    interval = days * 86_400 / (wakes + 1)
    starting = asyncio.Semaphore(16)
    today = local_date(await env.get_current_time())
    async with Worker(env.client, task_queue=task_queue, workflows=[SleepingWorkflow], activities=[nothing]):
        started = time.perf_counter()

        async def start(i: int) -> None:
            async with starting:
                await env.client.start_workflow(
                    SleepingWorkflow.run,
                    args=[interval * i / workflows, interval, wakes],
                    id=f"{task_queue}-{i}",
                    task_queue=task_queue,
                )

        await asyncio.gather(*(start(i) for i in range(workflows)))
        for offset in range(days + 1):
            day = today + timedelta(days=offset)
            await advance_clock(env, datetime.combine(day, datetime.min.time(), tzinfo=VIETNAM) + timedelta(hours=18))
        for i in range(workflows):  # all ended on the way: this only checks it
            assert await env.client.get_workflow_handle(f"{task_queue}-{i}").result() == wakes
        return time.perf_counter() - started


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
    print("  grades                " + ", ".join(f"{g} {n}" for g, n in report.grades.items()), flush=True)
    # On a server of its own: the time-skipping server gets slower with every task it has handled (see
    # `make bench-time-skipping`), so on the simulation's server this would measure the simulation too.
    wakes = round(report.events / max(report.assignments, 1))
    env = await time_skipping_server()
    try:
        raw = await raw_limit(env, report.assignments, wakes, report.simulated_days)
    finally:
        await env.shutdown()
    print(
        f"  raw limit: {report.assignments:,} workflows waking {wakes} times each over the same days"
        f"  {raw:10.1f} s   ({report.assignments * wakes / raw:,.0f} wakes/s)"
    )
    print(f"  ratio (raw / simulation)  {raw / report.wall_seconds:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
