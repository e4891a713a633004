"""Seals of the global log: proof that no event was removed, added or rewritten anywhere in it.

A stream's hash chain shows that its events follow one another unaltered, but not that its last events are
still there, nor that a whole stream was not rewritten consistently. A seal covers the whole log below a
position: ``digest`` chains every event's (global position, chain hash) in log order from the previous seal's
digest, and ``hash`` chains the seals. Auditors keep the latest seal's hash (``phancong audit verify`` prints
it); ``verify_log`` recomputes every digest and names the first seal that no longer matches.

Only settled positions are sealed (every transaction below them has ended), so an event can never later
appear below a seal.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from phancong.database import Pool

ZERO = bytes(32)
_LOCK_KEY = 0x7068736C  # "phsl": one sealer at a time


@dataclass(frozen=True)
class Seal:
    seal_no: int
    position: int
    events: int
    digest: bytes
    previous: bytes
    hash: bytes


@dataclass(frozen=True)
class LogProblem:
    seal_no: int
    message: str

    def __str__(self) -> str:
        return f"seal #{self.seal_no}: {self.message}"


@dataclass(frozen=True)
class LogReport:
    seals: int
    events_sealed: int
    events_unsealed: int
    latest: Seal | None
    problems: tuple[LogProblem, ...]


def step(digest: bytes, position: int, link: bytes) -> bytes:
    """The log digest after one more event."""
    return hashlib.sha256(digest + struct.pack(">q", position) + link).digest()


def seal_hash(previous: bytes, seal_no: int, position: int, events: int, digest: bytes) -> bytes:
    return hashlib.sha256(previous + struct.pack(">iqq", seal_no, position, events) + digest).digest()


def _seal(row: asyncpg.Record) -> Seal:
    return Seal(row["seal_no"], row["position"], row["events"], row["digest"], row["previous"], row["hash"])


async def _links(conn: asyncpg.Connection, after: int, below: int | None) -> AsyncIterator[tuple[int, bytes]]:
    sql = "SELECT global_position, hash FROM events WHERE global_position >= $1"
    args: list[int] = [after]
    if below is not None:
        sql += " AND global_position < $2"
        args.append(below)
    async for row in conn.cursor(sql + " ORDER BY global_position", *args, prefetch=20_000):
        yield row["global_position"], row["hash"]


async def seal(pool: Pool) -> Seal | None:
    """Seal what was appended since the last seal (None when nothing was)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        row = await conn.fetchrow("SELECT * FROM log_seals ORDER BY seal_no DESC LIMIT 1")
        last = _seal(row) if row else None
        start = last.position if last else 0
        settled: int = await conn.fetchval("SELECT phancong_settled_position()")
        digest, events = (last.digest, last.events) if last else (ZERO, 0)
        added = 0
        async for position, link in _links(conn, start, settled):
            digest = step(digest, position, link)
            added += 1
        if added == 0:
            return None
        seal_no, previous = (last.seal_no + 1, last.hash) if last else (1, ZERO)
        total = events + added
        new = Seal(seal_no, settled, total, digest, previous, seal_hash(previous, seal_no, settled, total, digest))
        await conn.execute(
            "INSERT INTO log_seals (seal_no, position, events, digest, previous, hash) VALUES ($1, $2, $3, $4, $5, $6)",
            new.seal_no,
            new.position,
            new.events,
            new.digest,
            new.previous,
            new.hash,
        )
        return new


async def latest(pool: Pool) -> Seal | None:
    row = await pool.fetchrow("SELECT * FROM log_seals ORDER BY seal_no DESC LIMIT 1")
    return _seal(row) if row else None


async def verify_log(pool: Pool) -> LogReport:
    """Recompute every seal from the events; the first problem of each kind is named."""
    problems: list[LogProblem] = []
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        seals = [_seal(r) for r in await conn.fetch("SELECT * FROM log_seals ORDER BY seal_no")]
        previous, digest, events, start = ZERO, ZERO, 0, 0
        for number, s in enumerate(seals, start=1):
            if (
                s.seal_no != number
                or s.previous != previous
                or s.hash != seal_hash(s.previous, s.seal_no, s.position, s.events, s.digest)
            ):
                problems.append(LogProblem(s.seal_no, "the seal itself was altered (its hash does not follow)"))
                break
            low = start
            async for position, link in _links(conn, start, s.position):
                digest = step(digest, position, link)
                events += 1
            if events != s.events:
                problems.append(
                    LogProblem(
                        s.seal_no,
                        f"{s.events - events:+,} events between positions {low} and {s.position} compared with "
                        f"the seal ({s.events:,} sealed, {events:,} found): events were removed or added",
                    )
                )
                break
            if digest != s.digest:
                problems.append(
                    LogProblem(
                        s.seal_no,
                        f"an event between positions {low} and {s.position} was altered or replaced "
                        "(the log digest differs)",
                    )
                )
                break
            previous, start = s.hash, s.position
        unsealed: int = await conn.fetchval("SELECT count(*) FROM events WHERE global_position >= $1", start)
    return LogReport(
        seals=len(seals),
        events_sealed=events,
        events_unsealed=unsealed,
        latest=seals[-1] if seals else None,
        problems=tuple(problems),
    )
