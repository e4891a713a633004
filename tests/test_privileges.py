"""Least privilege in the database: the application's role appends events, keeps the outbox, the read models and
their checkpoints, and seals through the database's own function; it cannot change history, forge a seal, touch
the migrations or alter anything. What it can change (a read model) a rebuild restores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from domain.actors import Actor, Role
from events import EventStore, seals
from events.catalog import REGISTRY
from infra.postgres import Pool, create_pool
from phancong.composition import import_directory
from projections.catalog import all_projections, read_model_tables
from projections.rebuild import rebuild
from projections.runner import Projector
from simulation import synthetic
from tests.projections.tables import snapshot
from tests.world import EXAMPLES


def as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


@pytest.fixture
async def app_pool(database_url: str) -> AsyncIterator[Pool]:
    """A pool that connects as a role like deploy/postgres/init.sql's phancong_app: a member of phancong_writer."""
    role = f"phancong_app_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE phancong_writer")
    finally:
        await admin.close()
    pool = await create_pool(as_user(database_url, role), min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"DROP OWNED BY {role}")
            await admin.execute(f"DROP ROLE {role}")
        finally:
            await admin.close()


PROVINCE = synthetic.Province("SYN-7/ĐU", communes=2, cells_per_commune=2, starts_on=date(2026, 1, 1), months=3)


async def test_the_application_role_runs_phancong_but_cannot_rewrite_what_it_does_not_own(
    app_pool: Pool, pool: Pool
) -> None:
    store = await EventStore.open(app_pool, REGISTRY)
    await import_directory(app_pool, store, EXAMPLES / "directory.yaml", Actor(role=Role.HQ), datetime.now(UTC))
    await synthetic.write(store, PROVINCE, 4)
    await Projector(app_pool, store, all_projections()).catch_up()
    sealed = await seals.seal(app_pool)
    assert sealed is not None
    assert (await seals.verify_log(app_pool)).problems == ()

    refused: dict[str, str] = {}
    for name, statement in {
        "rewrite an event": "UPDATE events SET payload = '{}' WHERE stream_version = 1",
        "remove an event": "DELETE FROM events WHERE stream_version = 1",
        "disable the append-only trigger": "ALTER TABLE events DISABLE TRIGGER events_append_only",
        "insert a seal": "INSERT INTO log_seals (seal_no, position, events, digest, previous, hash) "
        "VALUES (99, 1, 1, sha256('x'), sha256('x'), sha256('x'))",
        "record a migration": "INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')",
        "change a migration": "UPDATE schema_migrations SET checksum = 'x'",
        "remove a notification": "DELETE FROM notifications",
        "create a table": "CREATE TABLE mine (x int)",
        "replace the seal function": "CREATE OR REPLACE FUNCTION phancong_seal_hash(bytea, integer, bigint, bigint, "
        "bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT $1 $$",
    }.items():
        try:
            await app_pool.execute(statement)
        except asyncpg.PostgresError as error:
            refused[name] = type(error).__name__
    assert set(refused) == {
        "rewrite an event",
        "remove an event",
        "disable the append-only trigger",
        "insert a seal",
        "record a migration",
        "change a migration",
        "remove a notification",
        "create a table",
        "replace the seal function",
    }
    assert set(refused.values()) == {"InsufficientPrivilegeError"}

    # What it keeps, it may change; the log restores it (the owner rebuilds).
    kept = await snapshot(pool)
    assert kept["directory_entries"]
    await app_pool.execute("UPDATE rm_assignments SET stage = 'ended'")
    await app_pool.execute("UPDATE directory_entries SET active = false")
    await rebuild(pool, await EventStore.open(pool, REGISTRY))
    assert await snapshot(pool) == kept
    await Projector(app_pool, store, all_projections()).catch_up()  # and it keeps them after the rebuild
    assert await app_pool.fetchval("SELECT count(*) FROM rm_assignments") == len(kept["rm_assignments"])


async def test_every_table_is_readable_by_the_application_and_only_the_ones_it_keeps_are_writable(pool: Pool) -> None:
    """A new table must say what the application may do with it (a migration grants it): none is forgotten."""
    rows = await pool.fetch(
        "SELECT c.relname AS name, has_table_privilege('phancong_writer', c.oid, 'SELECT') AS reads, "
        "ARRAY(SELECT p FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p "
        "      WHERE has_table_privilege('phancong_writer', c.oid, p)) AS writes "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') ORDER BY 1"
    )
    keeps = ["INSERT", "UPDATE", "DELETE"]
    credentials = ["account_credentials", "enrolment_links", "sessions", "api_tokens", "sign_in_failures"]
    expected = {
        "events": ["INSERT"],
        "notifications": ["INSERT", "UPDATE"],
        **dict.fromkeys(read_model_tables(), keeps),
        **dict.fromkeys([*credentials, "idempotency_keys"], keeps),
        "access_log": ["INSERT"],  # the access record only grows
        # households' data keys: made, rewrapped or destroyed (UPDATE of those columns only), never deleted
        "household_keys": ["INSERT"],
    }

    assert all(r["reads"] for r in rows), [r["name"] for r in rows if not r["reads"]]
    assert {r["name"]: list(r["writes"]) for r in rows if r["writes"]} == expected
