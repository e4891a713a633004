"""A workflow that answers "busy" (the directive while it drains before continuing as new) is asked again.

The gateway sends the same command (same Update id) with backoff until the workflow takes it, and after its
last attempt reports the refusal with its stable code. A small workflow on the real time-skipping server
stands in for a draining directive: it refuses with ``busy`` until an instant, then accepts.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import gateway
from domain.actors import Actor, Role
from domain.commands import Commend
from domain.errors import CommandRejectedError
from workflows.directive import BUSY

HQ = Actor(role=Role.HQ)


@workflow.defn(sandboxed=False)
class Draining:
    def __init__(self) -> None:
        self._taken: list[str] = []
        self._ready_at: datetime | None = None

    @workflow.run
    async def run(self, busy_for: float) -> list[str]:
        self._ready_at = workflow.now() + timedelta(seconds=busy_for)
        await workflow.wait_condition(lambda: bool(self._taken))
        return self._taken

    @workflow.update
    def take(self, command: Commend) -> str:
        self._taken.append(command.reason)
        return command.reason

    @take.validator
    def _refuse_while_draining(self, command: Commend) -> None:
        if self._ready_at is None or workflow.now() < self._ready_at:
            raise ApplicationError("the workflow is about to continue as new", type=BUSY)


async def _send(env: WorkflowEnvironment, busy_for: float) -> tuple[str, list[str]]:
    queue = f"busy-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[Draining]):
        with env.auto_time_skipping_disabled():  # the server's clock runs at real pace
            handle = await env.client.start_workflow(Draining.run, busy_for, id=queue, task_queue=queue)
            answer = await gateway._execute(
                env.client, queue, "test workflow", Draining.take, Commend(actor=HQ, reason="khen"), result=str
            )
            return answer, await handle.result()


async def test_a_busy_workflow_is_asked_again_until_it_takes_the_command(env: WorkflowEnvironment) -> None:
    answer, taken = await _send(env, busy_for=1.0)

    assert answer == "khen"
    assert taken == ["khen"]  # taken once, though sent several times


async def test_a_workflow_busy_past_the_last_attempt_is_reported_with_its_code(
    env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway, "_BUSY_ATTEMPTS", 3)
    queue = f"busy-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[Draining]):
        with env.auto_time_skipping_disabled():
            await env.client.start_workflow(Draining.run, 3600.0, id=queue, task_queue=queue)
            with pytest.raises(CommandRejectedError) as refused:
                await gateway._execute(
                    env.client, queue, "test workflow", Draining.take, Commend(actor=HQ, reason="khen"), result=str
                )

    assert refused.value.code == BUSY
