"""The event store's contract, against a real PostgreSQL."""

from __future__ import annotations

import json

import asyncpg
import pytest

from domain.canonical import canonical_json
from events import ConcurrencyError, EventStore, NewEvent
from events.integrity import content_document, content_hash
from events.store import refused_change
from infra.postgres import Pool
from tests.events.sample import (
    OLD_REGISTRY,
    POST,
    SAMPLE_REGISTRY,
    HouseholdVisited,
    HouseholdVisitedV1,
    sample,
)


async def count_events(pool: Pool) -> int:
    n: int = await pool.fetchval("SELECT count(*) FROM events")
    return n


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}'",
        "UPDATE events SET stream_version = stream_version WHERE false",
        "DELETE FROM events",
        "TRUNCATE events",
    ],
)
async def test_the_database_refuses_to_change_or_remove_events(store: EventStore, pool: Pool, statement: str) -> None:
    await store.append("s", 0, [sample()])

    with pytest.raises(asyncpg.PostgresError) as raised:
        await pool.execute(statement)

    refusal = refused_change(raised.value)
    assert refusal is not None
    assert refusal.code == "events_append_only"
    assert await count_events(pool) == 1


async def tamper(pool: Pool, statement: str, *args: object) -> None:
    """What someone with the table owner's rights could do behind phancong's back."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        await conn.execute(statement, *args)
        await conn.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


async def test_verify_names_the_event_whose_payload_was_changed(store: EventStore, pool: Pool) -> None:
    await store.append("clean", 0, [sample(), sample()])
    result = await store.append("s", 0, [sample("10 hộ"), sample("5.000.000 đ"), sample("thêm")])
    assert await store.verify() == []
    target = await store.read_stream("s", after_version=1, to_version=2)

    await tamper(
        pool,
        "UPDATE events SET payload = jsonb_set(payload, '{text}', '\"50.000.000 đ\"') WHERE event_id = $1",
        target[0].event_id,
    )
    problems = await store.verify()

    assert len(problems) == 1
    assert problems[0].stream_id == "s"
    assert problems[0].stream_version == 2
    assert problems[0].event_id == target[0].event_id
    assert problems[0].global_position == result.positions[1]
    assert problems[0].kind == "content_altered"
    assert await store.verify("clean") == []


async def test_verify_catches_a_rewritten_content_hash_by_the_chain(store: EventStore, pool: Pool) -> None:
    await store.append("s", 0, [sample("a"), sample("b"), sample("c")])
    (second,) = await store.read_stream("s", after_version=1, to_version=2)
    forged_payload = {**second.payload.stored_payload(), "text": "forged"}
    forged = content_hash(
        content_document(
            event_id=second.event_id,
            stream_id="s",
            stream_version=2,
            event_type=second.event_type,
            schema_version=second.schema_version,
            occurred_at=second.occurred_at,
            actor_role=second.actor.role.value,
            actor_id=second.actor.id,
            directive_id=second.directive_id,
            causation_id=second.causation_id,
            member_id=second.member_id,
            cell_id=second.cell_id,
            payload=forged_payload,
        )
    )

    await tamper(
        pool,
        "UPDATE events SET payload = $2::jsonb, content_hash = $3 WHERE event_id = $1",
        second.event_id,
        canonical_json(forged_payload),
        forged,
    )
    problems = await store.verify("s")

    assert [(p.stream_version, p.kind) for p in problems] == [(2, "chain_broken")]


async def test_verify_reports_a_removed_event_as_a_gap(store: EventStore, pool: Pool) -> None:
    await store.append("s", 0, [sample("a"), sample("b"), sample("c")])

    await tamper(pool, "DELETE FROM events WHERE stream_id = 's' AND stream_version = 2")
    problems = await store.verify()

    assert [(p.stream_id, p.stream_version, p.kind) for p in problems] == [("s", 3, "version_gap")]


async def test_a_stored_v1_event_is_read_as_the_current_model(pool: Pool) -> None:
    old_code = EventStore(pool, OLD_REGISTRY)
    await old_code.append(
        "household-group-1",
        0,
        [
            NewEvent(
                payload=HouseholdVisitedV1(note="HH-042: thăm hỏi, tặng quà"),
                occurred_at=sample().occurred_at,
                actor=POST,
            )
        ],
    )

    (event,) = await EventStore(pool, SAMPLE_REGISTRY).read_stream("household-group-1")

    assert event.schema_version == 1
    assert isinstance(event.payload, HouseholdVisited)
    assert event.payload.household_id == "HH-042"
    assert event.payload.note == "thăm hỏi, tặng quà"
    assert await old_code.verify() == []  # upcasting reads; it never rewrites what is stored


async def test_an_append_inside_the_callers_transaction_commits_and_rolls_back_with_it(
    store: EventStore, pool: Pool
) -> None:
    async def fails_after_appending(conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await store.append("s", 0, [sample("rolled back")], connection=conn)
            raise RuntimeError("the caller's own work failed")

    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            await fails_after_appending(conn)
        async with conn.transaction():
            with pytest.raises(ConcurrencyError):
                await store.append("s", 4, [sample()], connection=conn)
            # The refused append did not poison the caller's transaction.
            await store.append("s", 0, [sample("kept")], connection=conn)

    assert [e.payload.model_dump()["text"] for e in await store.read_stream("s")] == ["kept"]


async def test_payload_is_stored_as_canonical_json(store: EventStore, pool: Pool) -> None:
    await store.append("s", 0, [sample("Đồn Biên phòng Hàm Luông", amount_vnd=1_359)])
    stored = await pool.fetchval("SELECT payload::text FROM events")
    assert json.loads(stored) == {
        "text": "Đồn Biên phòng Hàm Luông",
        "amount_vnd": 1359,
        "member_id": "M-001",
        "cell_id": "CB-AP-1",
        "directive_id": "681-CT/ĐU",
    }
