"""`phancong worker` as a process on the real dev server: it serves, it is listable, it stops gracefully."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from temporalio.testing import WorkflowEnvironment

import gateway
from domain import ids
from domain.calendar import local_date
from domain.commands import AcceptAssignment
from domain.context import AssignmentContext
from tests.cli import PHANCONG, clean_env
from tests.workflows.driver import CELLS, COMMUNE, POST
from workflows.assignment import AssignmentWorkflow
from workflows.assignment_io import AssignmentInput, Nomination


def request(assignment_id: str) -> AssignmentInput:
    today = local_date(datetime.now(UTC))  # the dev server runs on the real clock
    return AssignmentInput(
        nomination=Nomination(
            assignment_id=assignment_id,
            directive_id="681-CT/ĐU",
            member_id="DV-001",
            post_id="DBP-HAM-LUONG",
            commune_id="XA-TIEM-TOM",
            cell_id="CB-AP-1",
            nominated_on=today,
            nominated_by=POST,
        ),
        context=AssignmentContext(term_starts_on=today, term_ends_on=date(today.year + 2, 1, 1), commune_cells=CELLS),
    )


async def wait_for(predicate: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(20):
        while not await predicate():  # noqa: ASYNC110 - the condition lives on a server: ask again
            await asyncio.sleep(0.2)


async def test_the_worker_process_serves_assignments_and_stops_gracefully_on_sigterm(
    dev_env: WorkflowEnvironment, database_url: str
) -> None:
    client = dev_env.client
    task_queue = f"worker-{uuid.uuid4()}"
    env = clean_env(
        PHANCONG_DATABASE_URL=database_url,
        PHANCONG_TEMPORAL_ADDRESS=client.service_client.config.target_host,
        PHANCONG_TASK_QUEUE=task_queue,
        PHANCONG_LOG_FORMAT="json",
    )
    process = subprocess.Popen([PHANCONG, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: ASYNC220
    try:
        assignment_id = f"681-CT/ĐU:DV-{uuid.uuid4().hex[:6]}:CB-AP-1"
        workflow_id = ids.assignment_workflow_id(assignment_id)
        await client.start_workflow(
            AssignmentWorkflow.run, request(assignment_id), id=workflow_id, task_queue=task_queue
        )

        async def introduced() -> bool:
            state = await gateway.current_state(client, assignment_id)
            return state is not None and state.stage == "introduced"

        await wait_for(introduced)

        async def listed() -> bool:
            query = f"AssignmentStage = 'introduced' AND WorkflowId = '{workflow_id}'"
            return [w.id async for w in client.list_workflows(query)] == [workflow_id]

        await wait_for(listed)
        result = await gateway.send(client, assignment_id, AcceptAssignment(actor=COMMUNE))
        assert result.stage == "active"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.to_thread(process.communicate, timeout=60)

    assert process.returncode == 0, err
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    messages = [entry["event"] for entry in logs]
    assert "worker started" in messages
    assert messages.index("worker stopping: finishing running activities") < messages.index("worker stopped")
    assert all(entry.get("level") for entry in logs)
    assert os.environ.get("PHANCONG_TASK_QUEUE") != task_queue  # the test did not leak its settings
