"""Seals of the global log: a removed tail, a consistently rewritten stream, a removed seal are all caught."""

from __future__ import annotations

import json

from events import EventStore, seals
from events.integrity import ZERO_HASH, chain_hash, content_document, content_hash
from infra.postgres import Pool
from tests.events.sample import sample
from tests.events.test_store import tamper


async def filled(store: EventStore) -> None:
    await store.append("assignment-1", 0, [sample("một"), sample("hai"), sample("ba")])
    await store.append("assignment-2", 0, [sample("bốn")])


async def test_an_intact_log_matches_every_seal_and_only_new_events_are_unsealed(store: EventStore, pool: Pool) -> None:
    await filled(store)
    first = await seals.seal(pool)
    again = await seals.seal(pool)
    await store.append("assignment-2", 1, [sample("năm")])
    second = await seals.seal(pool)
    await store.append("assignment-3", 0, [sample("sáu")])

    report = await seals.verify_log(pool)

    assert first is not None
    assert again is None  # nothing new: no seal
    assert second is not None
    assert (first.seal_no, first.events, second.seal_no, second.events) == (1, 4, 2, 5)
    assert second.previous == first.hash
    assert (report.seals, report.events_sealed, report.events_unsealed, report.problems) == (2, 5, 1, ())
    assert report.latest == second


async def test_a_removed_last_event_keeps_its_stream_chain_intact_but_breaks_the_seal(
    store: EventStore, pool: Pool
) -> None:
    await filled(store)
    await seals.seal(pool)
    await tamper(pool, "DELETE FROM events WHERE stream_id = 'assignment-1' AND stream_version = 3")

    report = await seals.verify_log(pool)

    assert await store.verify() == []  # versions 1, 2 still chain: the stream alone cannot tell
    [problem] = report.problems
    assert problem.seal_no == 1
    assert "-1 events" in str(problem) or "+1 events" in str(problem)
    assert "removed or added" in str(problem)


async def test_a_stream_rewritten_with_consistent_hashes_breaks_the_seal(store: EventStore, pool: Pool) -> None:
    """Someone with the owner's rights rewrites an event and recomputes its content hash and every later link,
    so the stream verifies on its own; the seal's digest does not."""
    await filled(store)
    await seals.seal(pool)
    rows = await pool.fetch(
        "SELECT * FROM events WHERE stream_id = 'assignment-1' ORDER BY stream_version",
    )
    previous = ZERO_HASH
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        for row in rows:
            payload = row["payload"].replace("hai", "HAI") if row["stream_version"] == 2 else row["payload"]
            fields = {k: row[k] for k in ("event_id", "stream_id", "stream_version", "event_type", "schema_version",
                                          "occurred_at", "actor_role", "actor_id", "directive_id", "causation_id",
                                          "member_id", "cell_id")}  # fmt: skip
            content = content_hash(content_document(**fields, payload=json.loads(payload)))
            link = chain_hash(previous, content, row["recorded_at"])
            await conn.execute(
                "UPDATE events SET payload = $2::jsonb, content_hash = $3, hash = $4 WHERE event_id = $1",
                row["event_id"],
                payload,
                content,
                link,
            )
            previous = link
        await conn.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")

    report = await seals.verify_log(pool)

    assert await store.verify() == []
    [problem] = report.problems
    assert "altered or replaced" in str(problem)


async def test_a_rewritten_or_removed_seal_is_caught(store: EventStore, pool: Pool) -> None:
    await filled(store)
    first = await seals.seal(pool)
    await store.append("assignment-9", 0, [sample("bảy")])
    await seals.seal(pool)
    assert first is not None
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE log_seals DISABLE TRIGGER log_seals_append_only")
        await conn.execute("UPDATE log_seals SET events = events + 1 WHERE seal_no = 1")
        await conn.execute("ALTER TABLE log_seals ENABLE TRIGGER log_seals_append_only")

    [problem] = (await seals.verify_log(pool)).problems

    assert problem.seal_no == 1
    assert "the seal itself was altered" in str(problem)


async def test_a_junk_seal_is_named_the_good_ones_still_checked_and_sealing_goes_on_from_the_last_good_one(
    store: EventStore, pool: Pool
) -> None:
    """Only the database's owner can insert a seal row by hand (the application's role seals through
    phancong_seal()); one junk row never leaves verify failing for ever with no way forward."""
    await filled(store)
    first = await seals.seal(pool)
    assert first is not None
    await pool.execute(
        "INSERT INTO log_seals (seal_no, position, events, digest, previous, hash) "
        "VALUES (2, $1, 999, sha256('junk'), $2, sha256('junk'))",
        first.position + 1,
        first.hash,
    )
    await store.append("assignment-4", 0, [sample("tám")])
    third = await seals.seal(pool)

    report = await seals.verify_log(pool)

    assert third is not None
    assert (third.seal_no, third.previous, third.events) == (3, first.hash, 5)  # chained onto seal #1
    assert [(p.seal_no, "altered" in str(p)) for p in report.problems] == [(2, True)]
    assert (report.seals, report.events_sealed, report.latest) == (2, 5, third)
