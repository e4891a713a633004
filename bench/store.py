"""`make bench-store`: event store throughput beside raw asyncpg on a table of the same shape.

One run, one database: phancong's append (1 event per transaction with 1 and 8 writers, batches of 100)
and read_all (decoded to models), each beside the raw figure for the same rows: plain INSERT, executemany,
COPY, a server-side cursor with json.loads. Rounds alternate ours and raw; the median is printed. Then the
same for households recorded with their sensitive fields sealed (a data key each, made on first use), beside
the same households plain: encryption on beside encryption off.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import count
from typing import Any

from bench.harness import Comparison, bench_database, median, print_table, rate
from directory.households import SEALED, split
from directory.key_store import PostgresKeyStore
from directory.sealing import Vault
from domain.actors import Actor, Role
from domain.event import DomainEvent
from domain.events.directory import DirectoryEntryAdded, EntryKind
from events import EventStore, NewEvent
from events.catalog import REGISTRY
from infra.master_keys import generated
from infra.postgres import Pool, create_pool
from phancong.process import tune_garbage_collector
from tests.events.sample import SAMPLE_REGISTRY, SampleRecorded

ROUNDS = int(os.environ.get("PHANCONG_BENCH_ROUNDS", "3"))
SINGLE = 2000  # events per writer, one per transaction
BATCHES = 100  # batches of 100 per round
RAW_COLUMNS = (
    "global_position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, "
    "actor_role, actor_id, directive_id, causation_id, member_id, cell_id, payload, content_hash, hash"
)
RAW_INSERT = (
    f"INSERT INTO raw_events ({RAW_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"
)
ACTOR = Actor(role=Role.MEMBER, id="DV-0001")
HQ = Actor(role=Role.HQ)
NOW = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
_positions = count(1)


def new_event(i: int) -> NewEvent[DomainEvent]:
    return NewEvent(
        payload=SampleRecorded(
            directive_id="1625-NQ/ĐUBP",
            member_id=f"DV-{i % 997:04d}",
            cell_id=f"CB-{i % 211:03d}",
            text="Thông tin tình hình biên giới cho chi bộ ấp; vận động 7 hộ tham gia tự quản",
            amount_vnd=125_000 * (i % 9),
        ),
        occurred_at=NOW,
        actor=ACTOR,
    )


def raw_row(event: NewEvent[DomainEvent], stream: str, version: int) -> tuple[Any, ...]:
    payload = event.payload.stored_payload()
    digest = uuid.uuid4().bytes * 2
    return (
        next(_positions), event.event_id, stream, version, event.payload.type, 1, event.occurred_at, NOW,
        event.actor.role.value, event.actor.id, payload.get("directive_id"), None, payload.get("member_id"),
        payload.get("cell_id"), json.dumps(payload, ensure_ascii=False), digest, digest,
    )  # fmt: skip


async def ours_single(store: EventStore, tag: str, writers: int) -> float:
    streams = [[new_event(i) for i in range(SINGLE)] for _ in range(writers)]

    async def writer(w: int, events: Sequence[NewEvent[DomainEvent]]) -> None:
        for i, event in enumerate(events):
            await store.append(f"{tag}-{w}-{i}", 0, [event])

    return await rate(SINGLE * writers, lambda: asyncio.gather(*(writer(w, s) for w, s in enumerate(streams))))


async def raw_single(pool: Pool, tag: str, writers: int) -> float:
    rows = [[raw_row(new_event(i), f"{tag}-{w}-{i}", 1) for i in range(SINGLE)] for w in range(writers)]

    async def writer(batch: list[tuple[Any, ...]]) -> None:
        async with pool.acquire() as conn:
            for row in batch:
                await conn.execute(RAW_INSERT, *row)

    return await rate(SINGLE * writers, lambda: asyncio.gather(*(writer(b) for b in rows)))


async def ours_batches(store: EventStore, tag: str) -> float:
    batches = [[new_event(i) for i in range(100)] for _ in range(BATCHES)]

    async def go() -> None:
        for b, batch in enumerate(batches):
            await store.append(f"{tag}-{b}", 0, batch)

    return await rate(BATCHES * 100, go)


async def raw_batches(pool: Pool, tag: str, method: str) -> float:
    batches = [[raw_row(new_event(i), f"{tag}-{b}", i + 1) for i in range(100)] for b in range(BATCHES)]

    async def go() -> None:
        async with pool.acquire() as conn:
            for batch in batches:
                if method == "copy":
                    await conn.copy_records_to_table("raw_events", records=batch, columns=RAW_COLUMNS.split(", "))
                else:
                    async with conn.transaction():
                        await conn.executemany(RAW_INSERT, batch)

    return await rate(BATCHES * 100, go)


async def ours_read(store: EventStore, total: int) -> float:
    async def go() -> None:
        seen, position = 0, 0
        while page := await store.read_all(position, limit=1000):
            seen += len(page)
            position = page[-1].global_position
        assert seen == total, (seen, total)

    return await rate(total, go)


async def raw_read(pool: Pool, total: int) -> float:
    async def go() -> None:
        seen = 0
        async with pool.acquire() as conn, conn.transaction():
            async for row in conn.cursor(f"SELECT {RAW_COLUMNS} FROM events ORDER BY global_position", prefetch=1000):
                json.loads(row["payload"])
                seen += 1
        assert seen == total

    return await rate(total, go)


HOUSEHOLD_BATCHES = 50  # batches of 100 households per round


def household(i: int) -> dict[str, Any]:
    """A household as a directory file gives it (plain), varied like a province's."""
    tags = [["poor"], ["border_farmland", "religion"], ["cross_border_kin", "poor"], ["policy_or_hardship"]][i % 4]
    return {
        "cell": f"CB-{i % 211:03d}",
        "head": f"Nguyễn Thị Hộ Số {i}",
        "tags": tags,
        "denomination": "Phật giáo Hòa Hảo" if "religion" in tags else None,
    }


async def households_appended(store: EventStore, vault: Vault | None, tag: str) -> float:
    """Households recorded as a directory import records them, 100 per append: sealed (each box under its
    household's own data key, made on first use) when ``vault`` is given, plain (encryption off) otherwise."""
    batches = [[(f"HH-{tag}-{b}-{i}", household(b * 100 + i)) for i in range(100)] for b in range(HOUSEHOLD_BATCHES)]

    async def go() -> None:
        for b, batch in enumerate(batches):
            data = dict(batch)
            if vault is not None:
                parts = {hid: split(plain) for hid, plain in batch}
                boxes = await vault.seal({hid: secret for hid, (_, secret) in parts.items()})
                data = {hid: {**clear, SEALED: boxes[hid]} for hid, (clear, _) in parts.items()}
            events: list[NewEvent[DomainEvent]] = [
                NewEvent(
                    payload=DirectoryEntryAdded(kind=EntryKind.HOUSEHOLD, entry_id=hid, data=entry),
                    occurred_at=NOW,
                    actor=HQ,
                )
                for hid, entry in data.items()
            ]
            await store.append(f"directory-{tag}-{b}", 0, events)

    return await rate(HOUSEHOLD_BATCHES * 100, go)


async def households_read(store: EventStore, vault: Vault | None, tag: str) -> float:
    """The same households read back as a reader allowed them sees them: their boxes opened (or plain)."""

    async def go() -> None:
        seen = 0
        for b in range(HOUSEHOLD_BATCHES):
            rows = [(e.payload.entry_id, e.payload.data) for e in await store.read_stream(f"directory-{tag}-{b}")]  # type: ignore[attr-defined]
            revealed = await vault.reveal(rows) if vault is not None else [dict(data) for _, data in rows]
            seen += sum(1 for r in revealed if r.get("head"))
        assert seen == HOUSEHOLD_BATCHES * 100, seen

    return await rate(HOUSEHOLD_BATCHES * 100, go)


async def measure_sealing(url: str) -> list[Comparison]:
    """Households' sensitive fields sealed (encryption on) beside the same households plain (encryption off), in
    the same database and run: what encryption at rest costs an import and a reader."""
    pool = await create_pool(url, min_size=2, max_size=2)
    try:
        store = await EventStore.open(pool, REGISTRY)
        vault = Vault(PostgresKeyStore(pool), generated())
        results: dict[str, list[float]] = {}
        for r in range(ROUNDS):
            results.setdefault("sealed", []).append(await households_appended(store, vault, f"on{r}"))
            results.setdefault("plain", []).append(await households_appended(store, None, f"off{r}"))
            results.setdefault("opened", []).append(await households_read(store, vault, f"on{r}"))
            results.setdefault("read", []).append(await households_read(store, None, f"off{r}"))
    finally:
        await pool.close()
    m = {k: median(v) for k, v in results.items()}
    return [
        Comparison("households, seal + append by 100", m["sealed"], m["plain"], "encryption off", target=0.5),
        Comparison("households, read + open", m["opened"], m["read"], "encryption off", target=0.5),
    ]


async def measure(url: str) -> list[Comparison]:
    pool = await create_pool(url, min_size=9, max_size=9)
    try:
        await pool.execute("CREATE TABLE raw_events (LIKE events INCLUDING ALL)")
        store = await EventStore.open(pool, SAMPLE_REGISTRY)
        results: dict[str, list[float]] = {}

        def keep(name: str, value: float) -> None:
            results.setdefault(name, []).append(value)

        for r in range(ROUNDS):
            keep("ours1", await ours_single(store, f"s1r{r}", 1))
            keep("raw1", await raw_single(pool, f"s1r{r}", 1))
            keep("ours8", await ours_single(store, f"s8r{r}", 8))
            keep("raw8", await raw_single(pool, f"s8r{r}", 8))
            keep("oursB", await ours_batches(store, f"br{r}"))
            keep("rawB", await raw_batches(pool, f"br{r}", "executemany"))
            keep("rawC", await raw_batches(pool, f"cr{r}", "copy"))
        total = await pool.fetchval("SELECT count(*) FROM events")
        for _ in range(ROUNDS):
            keep("oursR", await ours_read(store, total))
            keep("rawR", await raw_read(pool, total))
    finally:
        await pool.close()
    m = {k: median(v) for k, v in results.items()}
    return [
        Comparison("append, 1 event/txn, 1 writer", m["ours1"], m["raw1"], "INSERT"),
        Comparison("append, 1 event/txn, 8 writers", m["ours8"], m["raw8"], "INSERT"),
        Comparison("append, batches of 100", m["oursB"], m["rawB"], "executemany (in a txn)"),
        Comparison("append, batches of 100", m["oursB"], m["rawC"], "COPY"),
        Comparison(f"read_all ({total:,} events, models)", m["oursR"], m["rawR"], "cursor + json.loads"),
    ]


async def main() -> None:
    async with bench_database() as url:
        rows = await measure(url)
        sealing = await measure_sealing(url)
    print_table(f"event store, median of {ROUNDS} rounds, {os.cpu_count()} cores", rows)
    print_table(f"households' sensitive fields sealed at rest, median of {ROUNDS} rounds", sealing, unit="hh/s")


if __name__ == "__main__":
    tune_garbage_collector()
    asyncio.run(main())
