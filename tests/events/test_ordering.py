"""Global order: a catch-up reader never skips an event that a concurrent writer commits late."""

from __future__ import annotations

import asyncio
import random
from uuid import UUID

from events import EventStore, RecordedEvent
from infra.postgres import Pool
from tests.events.sample import sample


async def test_an_event_committed_late_is_held_back_then_read_not_skipped(store: EventStore, pool: Pool) -> None:
    async with pool.acquire() as slow_conn:
        slow_tx = slow_conn.transaction()
        await slow_tx.start()
        slow = await store.append("slow", 0, [sample("slow")], connection=slow_conn)
        fast = await store.append("fast", 0, [sample("fast")])

        # The hazard: the later-committed event has the lower position, and only `fast` is visible now.
        # A reader that took "position > last seen" would read fast, move past it, and skip slow forever.
        visible = await pool.fetch("SELECT global_position FROM events ORDER BY global_position")
        assert [row[0] for row in visible] == fast.positions
        assert slow.positions[0] < fast.positions[0]
        # read_all holds fast back while an older transaction is still open.
        assert await store.read_all(0) == []

        await slow_tx.commit()

    events = await store.read_all(0)
    assert [e.stream_id for e in events] == ["slow", "fast"]
    assert [e.global_position for e in events] == slow.positions + fast.positions


async def test_a_catch_up_reader_sees_every_event_once_in_order_under_eight_writers(
    store: EventStore, pool: Pool
) -> None:
    writers, per_writer = 8, 500
    rng = random.Random(20261122)
    written: list[UUID] = []

    async def writer(w: int) -> None:
        version = 0
        while version < per_writer:
            size = rng.choice([1, 1, 1, 2, 5])
            size = min(size, per_writer - version)
            batch = [sample(f"w{w}-{version + i}") for i in range(size)]
            if rng.random() < 0.3:
                # A slow transaction: it takes its positions, then lingers before committing.
                async with pool.acquire() as conn, conn.transaction():
                    await store.append(f"writer-{w}", version, batch, connection=conn)
                    await asyncio.sleep(rng.random() * 0.01)
            else:
                await store.append(f"writer-{w}", version, batch)
            written.extend(e.event_id for e in batch)
            version += size

    seen: list[RecordedEvent] = []
    done = asyncio.Event()

    async def reader() -> None:
        position = 0
        while True:
            finished = done.is_set()
            page = await store.read_all(position, limit=300)
            seen.extend(page)
            if page:
                position = page[-1].global_position
            elif finished:
                return
            else:
                await asyncio.sleep(0.002)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(writers)))
    done.set()
    await reading

    positions = [e.global_position for e in seen]
    assert len(written) == writers * per_writer
    assert sorted(e.event_id for e in seen) == sorted(written)  # every event, none twice
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    for w in range(writers):
        versions = [e.stream_version for e in seen if e.stream_id == f"writer-{w}"]
        assert versions == list(range(1, per_writer + 1))
