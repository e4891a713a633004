"""A worker on a fresh task queue and database per test, on the test's own time-skipping server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

import worker
from events import EventStore
from infra.postgres import Pool
from tests.workflows.driver import Harness


@pytest.fixture
async def harness(env: WorkflowEnvironment, domain_store: EventStore, pool: Pool) -> AsyncIterator[Harness]:
    task_queue = f"test-{uuid.uuid4()}"
    async with worker.running(env.client, task_queue, domain_store, pool):
        yield Harness(env, domain_store, pool, task_queue)
