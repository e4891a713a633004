"""The alarm the long-lived workflows sleep on survives a timer that fires while a workflow task is in flight.

On Temporal's time-skipping test server, a workflow task that cancels a timer which fired meanwhile is
refused and never sent again (temporalio/sdk-java#2606, #3088): the run is stranded, and the server's clock
with it. These tests stage that race for real: the workflow waits for an instant two seconds away, a signal
arrives first and its workflow task is held at the worker (a slow handler) until after the timer fired.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from workflows.alarm import Alarm

WAIT = timedelta(seconds=2)
HOLD = 3.0  # seconds the signal's workflow task stays at the worker: past the timer's instant


@workflow.defn(sandboxed=False)
class Sleeper:
    """Sleeps until an instant, woken early by signals, the way AssignmentWorkflow and DirectiveWorkflow do."""

    def __init__(self) -> None:
        self._woken = False
        self._wakes = 0
        self._alarm = Alarm()

    @workflow.run
    async def run(self, cancelling: bool) -> int:
        at = workflow.now() + WAIT
        while workflow.now() < at:
            self._woken = False
            if cancelling:  # what both workflows did before the alarm
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda: self._woken, timeout=at - workflow.now())
            else:
                await self._alarm.wait(lambda: self._woken, at)
        return self._wakes

    @workflow.signal
    def poke(self) -> None:
        time.sleep(HOLD)  # a busy worker: the task is still here when the timer fires
        self._woken = True
        self._wakes += 1


async def _race(env: WorkflowEnvironment, *, cancelling: bool, patience: float) -> int:
    queue = f"alarm-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[Sleeper],
        workflow_runner=UnsandboxedWorkflowRunner(),
        debug_mode=True,  # the held task must not count as a deadlock
    ):
        with env.auto_time_skipping_disabled():  # the server's clock runs at real pace
            handle = await env.client.start_workflow(Sleeper.run, cancelling, id=queue, task_queue=queue)
            await asyncio.sleep(0.5)
            await handle.signal(Sleeper.poke)
            return await asyncio.wait_for(handle.result(), patience)


async def test_a_timer_that_fires_during_a_woken_task_still_ends_the_wait(env: WorkflowEnvironment) -> None:
    wakes = await _race(env, cancelling=False, patience=30)

    assert wakes == 1


async def test_the_race_strands_a_workflow_that_cancels_its_timer(env: WorkflowEnvironment) -> None:
    """The control: the same race with wait_condition's timeout never ends on this server.

    If this starts to pass on a newer test server (the bug fixed), the alarm is no longer needed.
    """
    with pytest.raises(TimeoutError):
        await _race(env, cancelling=True, patience=12)
