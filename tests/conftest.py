"""Session-wide real servers; per-test fresh databases."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

import worker
from events import EventStore
from events.catalog import REGISTRY
from infra.master_keys import ensure_file
from infra.postgres import Pool, create_pool
from tests.cli import MASTER_KEYS, clean_env
from tests.clock import VARIABLE, ChosenStartError, chosen_start, start_clock
from tests.events.sample import SAMPLE_REGISTRY
from tests.postgres import Databases, postgres_server
from tests.temporal import dev_server, time_skipping
from tests.workflows.driver import Harness
from tests.world import World


def pytest_configure(config: pytest.Config) -> None:
    # Households' data keys are wrapped by a master key kept outside the database: one for this test process, which
    # the phancong commands the tests run inherit (tests.cli.clean_env keeps it).
    if not os.environ.get(MASTER_KEYS):
        os.environ[MASTER_KEYS] = str(Path(tempfile.mkdtemp(prefix="phancong-keys-")) / "master.keys")
        ensure_file(Path(os.environ[MASTER_KEYS]))
    try:
        chosen_start()
    except ChosenStartError as refused:
        raise pytest.UsageError(str(refused)) from None


def pytest_report_header(config: pytest.Config) -> str:
    instant = chosen_start()
    at = instant.isoformat() if instant else "now (the real clock)"
    return f"time-skipping tests start at: {at} ({VARIABLE})"


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(scope="session")
async def databases(postgres_admin_url: str) -> AsyncIterator[Databases]:
    dbs = Databases(postgres_admin_url)
    await dbs.prepare_template()
    yield dbs
    await dbs.drop_all()


@pytest.fixture
async def database_url(databases: Databases) -> str:
    """A fresh, migrated database of its own for one test."""
    return await databases.create()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=12)
    yield pool
    await pool.close()


@pytest.fixture
async def store(pool: Pool) -> EventStore:
    """A store of the event store's own sample events."""
    return await EventStore.open(pool, SAMPLE_REGISTRY)


@pytest.fixture
async def domain_store(pool: Pool) -> EventStore:
    """A store of phancong's domain events."""
    return await EventStore.open(pool, REGISTRY)


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (search attributes, visibility queries, Schedules)."""
    environment = await dev_server()
    yield environment
    await environment.shutdown()


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (about 0.3 s to start).

    Its clock is global: a workflow another test left behind (or terminated mid-activity, which the server
    never unlocks) would stop time for everyone after it. A server per test keeps tests independent.
    """
    environment = await time_skipping()
    await start_clock(environment)
    yield environment
    await environment.shutdown()


@pytest.fixture
async def world(
    env: WorkflowEnvironment, domain_store: EventStore, pool: Pool, database_url: str, tmp_path: Path
) -> AsyncIterator[World]:
    task_queue = f"cli-{uuid.uuid4()}"
    async with worker.running(env.client, task_queue, domain_store, pool):
        cli_env = clean_env(
            PHANCONG_DATABASE_URL=database_url,
            PHANCONG_TEMPORAL_ADDRESS=env.client.service_client.config.target_host,
            PHANCONG_TASK_QUEUE=task_queue,
            PHANCONG_STATE_DIR=str(tmp_path / "state"),
        )
        yield World(Harness(env, domain_store, pool, task_queue), cli_env, tmp_path)
