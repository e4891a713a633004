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

from collections.abc import AsyncIterator

import asyncpg

from events.integrity import ZERO, LogProblem, LogReport, Seal, seal_hash, step
from infra.postgres import Pool


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
    """Seal what was appended since the last seal (None when nothing was).

    The database computes the seal from the log itself (``phancong_seal()``, the same algorithm as ``step`` and
    ``seal_hash``): the application's role may call it but never insert a seal of its own.
    """
    row = await pool.fetchrow("SELECT * FROM phancong_seal()")
    return _seal(row) if row else None


async def latest(pool: Pool) -> Seal | None:
    row = await pool.fetchrow("SELECT * FROM log_seals ORDER BY seal_no DESC LIMIT 1")
    return _seal(row) if row else None


async def verify_log(pool: Pool) -> LogReport:
    """Recompute every seal from the events, in order, and name each problem.

    A seal that is malformed (its hash does not follow from its fields) or follows neither the row before it nor
    the last good seal is reported and passed over: one bad row never hides the rest (the sealer chains new seals
    onto the last well-formed one). Each seal that follows is checked against the events since the last good
    seal; when they differ the problem is reported for that range and the next range starts from this seal, so
    every altered range is named.
    """
    problems: list[LogProblem] = []
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        seals = [_seal(r) for r in await conn.fetch("SELECT * FROM log_seals ORDER BY seal_no")]
        base: Seal | None = None  # the last seal that checked out: ranges are checked from it
        row: Seal | None = None  # the seal row before this one, whatever it holds
        chained = 0
        for s in seals:
            before, row = row, s
            if s.hash != seal_hash(s.previous, s.seal_no, s.position, s.events, s.digest):
                problems.append(LogProblem(s.seal_no, "the seal itself was altered (its hash does not follow)"))
                continue
            if s.previous not in {before.hash if before else ZERO, base.hash if base else ZERO}:
                after = f"seal #{base.seal_no}" if base else "the start of the log"
                problems.append(LogProblem(s.seal_no, f"does not follow {after} (seals were removed or rewritten)"))
                continue
            problem = await _check_range(conn, base, s)
            if problem is not None:
                problems.append(problem)
            base, chained = s, chained + 1
        unsealed: int = await conn.fetchval(
            "SELECT count(*) FROM events WHERE global_position >= $1", base.position if base else 0
        )
    return LogReport(
        seals=chained,
        events_sealed=base.events if base else 0,
        events_unsealed=unsealed,
        latest=base,
        problems=tuple(problems),
    )


async def _check_range(conn: asyncpg.Connection, base: Seal | None, s: Seal) -> LogProblem | None:
    """Whether the events between ``base`` (or the start of the log) and ``s`` are the ones ``s`` sealed."""
    digest, events, start = (base.digest, base.events, base.position) if base else (ZERO, 0, 0)
    async for position, link in _links(conn, start, s.position):
        digest = step(digest, position, link)
        events += 1
    if events != s.events:
        return LogProblem(
            s.seal_no,
            f"{s.events - events:+,} events between positions {start} and {s.position} compared with "
            f"the seal ({s.events:,} sealed, {events:,} found): events were removed or added",
        )
    if digest != s.digest:
        return LogProblem(
            s.seal_no,
            f"an event between positions {start} and {s.position} was altered or replaced (the log digest differs)",
        )
    return None
