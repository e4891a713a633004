"""Schema migrations: ordered, recorded, idempotent; a database of another schema is refused."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

import migrations
from events import EventStore
from infra.postgres import Pool, create_pool
from tests.events.sample import SAMPLE_REGISTRY
from tests.postgres import Databases


async def test_migrate_applies_every_migration_once_and_then_nothing(databases: Databases) -> None:
    url = await databases.create(migrated=False)
    conn = await asyncpg.connect(url)
    try:
        first = await migrations.migrate(conn)
        second = await migrations.migrate(conn)
        recorded = await conn.fetch("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()

    assert [m.version for m in first] == [m.version for m in migrations.available()]
    assert second == []
    assert [(r["version"], r["name"], r["checksum"]) for r in recorded] == [
        (m.version, m.name, m.checksum) for m in migrations.available()
    ]


async def test_concurrent_migrations_apply_each_file_once(databases: Databases) -> None:
    url = await databases.create(migrated=False)
    conns = [await asyncpg.connect(url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrations.migrate(c) for c in conns))
    finally:
        for c in conns:
            await c.close()

    assert sorted(len(r) for r in results) == [0, 0, len(migrations.available())]


async def test_the_store_refuses_a_database_that_was_never_migrated(databases: Databases) -> None:
    pool = await create_pool(await databases.create(migrated=False), min_size=1, max_size=2)
    try:
        with pytest.raises(migrations.SchemaOutdatedError, match="phancong db migrate"):
            await EventStore.open(pool, SAMPLE_REGISTRY)
    finally:
        await pool.close()


async def test_the_store_refuses_a_schema_newer_than_its_code(pool: Pool) -> None:
    await pool.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from_the_future', 'x')")

    with pytest.raises(migrations.SchemaTooNewError) as raised:
        await EventStore.open(pool, SAMPLE_REGISTRY)
    assert raised.value.code == "schema_too_new"
    async with pool.acquire() as conn:
        with pytest.raises(migrations.SchemaTooNewError):
            await migrations.migrate(conn)


async def test_an_applied_migration_that_was_edited_is_refused(pool: Pool) -> None:
    await pool.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")

    with pytest.raises(migrations.MigrationChangedError, match="0001_event_store"):
        await EventStore.open(pool, SAMPLE_REGISTRY)


def test_shipped_migrations_are_numbered_without_gaps() -> None:
    versions = [m.version for m in migrations.available()]
    assert versions == list(range(1, len(versions) + 1))
    assert migrations.latest_version() == versions[-1]
