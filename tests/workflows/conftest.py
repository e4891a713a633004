"""A time-skipping Temporal server for the session; a worker on a fresh task queue and database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

import worker
from events import EventStore
from events.catalog import REGISTRY
from phancong.database import Pool
from tests.temporal import time_skipping
from tests.workflows.driver import Harness


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (about 0.3 s to start).

    Its clock is global: a workflow another test left behind (or terminated mid-activity, which the server
    never unlocks) would stop time for everyone after it. A server per test keeps tests independent.
    """
    environment = await time_skipping()
    yield environment
    await environment.shutdown()


@pytest.fixture
async def domain_store(pool: Pool) -> EventStore:
    return await EventStore.open(pool, REGISTRY)


@pytest.fixture
async def harness(env: WorkflowEnvironment, domain_store: EventStore, pool: Pool) -> AsyncIterator[Harness]:
    task_queue = f"test-{uuid.uuid4()}"
    async with worker.build_worker(env.client, task_queue, domain_store, pool):
        yield Harness(env, domain_store, pool, task_queue)
