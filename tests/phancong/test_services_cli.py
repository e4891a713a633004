"""`phancong up|down|status|db|audit` through the real command, with real embedded servers."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from events import EventStore
from tests.cli import clean_env, free_port, phancong
from tests.events.sample import sample
from tests.postgres import Databases


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    return clean_env(
        PHANCONG_STATE_DIR=str(tmp_path / "state"),
        PHANCONG_EMBEDDED_TEMPORAL_PORT=str(free_port()),
        PHANCONG_EMBEDDED_TEMPORAL_UI_PORT=str(free_port()),
    )


async def test_up_starts_the_embedded_servers_reuses_them_and_down_stops_them(
    embedded_env: dict[str, str],
) -> None:
    try:
        first = phancong("up", "--json", env=embedded_env)
        assert first.code == 0, first.stderr
        assert sorted(first.json()["started"]) == ["postgres", "temporal"]

        again = phancong("up", "--json", env=embedded_env)
        assert again.json()["started"] == []
        assert again.json()["database_url"] == first.json()["database_url"]

        url = phancong("db", "url", env=embedded_env)
        assert url.stdout.strip() == first.json()["database_url"]
        # The embedded database is phancong's own: the first command that needs it migrates it.
        first_use = phancong("tasks", "--as", "hq", "--json", env=embedded_env)
        assert first_use.code == 0, first_use.stderr
        assert "applied migration 0001_" in first_use.stderr
        migrated = phancong("db", "migrate", "--json", env=embedded_env)
        assert migrated.code == 0, migrated.stderr
        assert migrated.json()["applied"] == []
        conn = await asyncpg.connect(url.stdout.strip())
        try:
            assert await conn.fetchval("SELECT max(version) FROM schema_migrations") == migrated.json()["version"]
        finally:
            await conn.close()
        assert phancong("audit", "verify", env=embedded_env).code == 0
        assert phancong("status", "--json", env=embedded_env).json()["temporal"] == first.json()["temporal_address"]
    finally:
        down = phancong("down", "--json", env=embedded_env)
    assert sorted(down.json()["stopped"]) == ["postgres", "temporal"]
    status = phancong("status", "--json", env=embedded_env).json()
    assert status == {"database": None, "temporal": None}
    refused = phancong("db", "url", env=embedded_env)
    assert refused.code == 1
    assert refused.stderr.strip().startswith("error[service_not_running]:")
    assert refused.stdout == ""


def test_with_servers_configured_up_starts_nothing(tmp_path: Path, database_url: str) -> None:
    env = clean_env(
        PHANCONG_STATE_DIR=str(tmp_path / "state"),
        PHANCONG_DATABASE_URL=database_url,
        PHANCONG_TEMPORAL_ADDRESS="temporal.example:7233",
    )
    result = phancong("up", "--json", env=env)
    assert result.json() == {
        "database_url": database_url,
        "temporal_address": "temporal.example:7233",
        "temporal_ui": None,
        "started": [],
    }
    assert not (tmp_path / "state" / "postgres").exists()


async def test_a_configured_database_not_migrated_is_refused_until_its_owner_migrates_it(
    tmp_path: Path, databases: Databases
) -> None:
    env = clean_env(
        PHANCONG_STATE_DIR=str(tmp_path / "state"), PHANCONG_DATABASE_URL=await databases.create(migrated=False)
    )
    for command in (("tasks", "--as", "hq"), ("simulate", "--months", "1"), ("report", "--as", "hq")):
        refused = phancong(*command, env=env)
        assert refused.code == 1, command
        assert refused.stderr.startswith("error[schema_outdated]: the database schema is at version 0"), refused.stderr
        assert "phancong db migrate" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert phancong("db", "migrate", env=env).code == 0
    assert phancong("tasks", "--as", "hq", env=env).code == 0


def test_an_unreachable_database_is_one_line_with_a_code(tmp_path: Path) -> None:
    env = clean_env(PHANCONG_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    result = phancong("db", "migrate", env=env)
    assert result.code == 1
    assert result.stderr.startswith("error[database_unreachable]: cannot connect")
    assert len(result.stderr.strip().splitlines()) == 1
    as_json = phancong("db", "migrate", "--json", env=env)
    assert as_json.json()["error"]["code"] == "database_unreachable"


async def test_audit_verify_names_a_tampered_event_and_exits_non_zero(store: EventStore, database_url: str) -> None:
    await store.append("assignment-X", 0, [sample("a"), sample("b")])
    (victim,) = await store.read_stream("assignment-X", after_version=1)
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
            await conn.execute(
                "UPDATE events SET occurred_at = occurred_at - interval '1 day' WHERE event_id = $1",
                victim.event_id,
            )
            await conn.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
    finally:
        await conn.close()

    env = clean_env(PHANCONG_DATABASE_URL=database_url)
    result = phancong("audit", "verify", env=env)
    as_json = phancong("audit", "verify", "--json", env=env)

    assert result.code == 1
    assert f"assignment-X@2 (event {victim.event_id}" in result.stdout
    assert "content_altered" in result.stdout
    assert as_json.json()["problems"][0]["event_id"] == str(victim.event_id)


def test_db_url_masks_a_configured_password_unless_asked(tmp_path: Path) -> None:
    url = "postgresql://phancong:mật-khẩu-bí-mật@db.example.vn:5432/phancong?sslmode=require"
    env = clean_env(PHANCONG_DATABASE_URL=url, PHANCONG_STATE_DIR=str(tmp_path / "state"))
    shown = phancong("db", "url", env=env)
    assert shown.code == 0, shown.stderr
    assert shown.stdout.strip() == "postgresql://phancong:***@db.example.vn:5432/phancong?sslmode=require"
    assert phancong("db", "url", "--show-password", env=env).stdout.strip() == url
