"""The raw limits of the workflow benchmarks (a module of their own, so the workflow sandbox imports nothing
else): a workflow that starts and ends (`make bench-directive`), and one that only sleeps and wakes to run an
activity that does nothing (`make bench-simulate`), and one that runs that activity over and over
(`make bench-time-skipping`)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@workflow.defn(name="EmptyWorkflow")
class EmptyWorkflow:
    @workflow.run
    async def run(self) -> None:
        return None


@activity.defn(name="nothing")
async def nothing() -> None:
    return None


@workflow.defn(name="SleepingWorkflow")
class SleepingWorkflow:
    """Waits ``first`` seconds, then ``wakes`` times: runs ``nothing``, sleeps ``interval`` seconds."""

    @workflow.run
    async def run(self, first: float, interval: float, wakes: int) -> int:
        await workflow.sleep(first)
        for _ in range(wakes):
            await workflow.execute_activity(nothing, start_to_close_timeout=timedelta(seconds=30))
            await workflow.sleep(interval)
        return wakes


@workflow.defn(name="BusyWorkflow")
class BusyWorkflow:
    """Runs ``nothing`` ``times`` times, one after another."""

    @workflow.run
    async def run(self, times: int) -> int:
        for _ in range(times):
            await workflow.execute_activity(nothing, start_to_close_timeout=timedelta(seconds=30))
        return times
