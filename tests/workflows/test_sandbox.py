"""The worker runs workflows in Temporal's sandbox: it imports phancong's modules once (tests/workflows/
test_purity.py keeps the clock and randomness out of them) and still refuses a workflow's I/O."""

from __future__ import annotations

import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.forbidden_workflow import OpensAFile
from worker import WORKFLOW_RUNNER


async def test_the_workers_sandbox_refuses_a_workflow_that_opens_a_file(env: WorkflowEnvironment) -> None:
    queue = f"sandbox-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[OpensAFile], workflow_runner=WORKFLOW_RUNNER):
        answer = await env.client.execute_workflow(OpensAFile.run, id=queue, task_queue=queue)

    assert answer == "refused"
