"""The event store on PostgreSQL: append with optimistic concurrency, idempotent by event id; ordered reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import asyncpg

import migrations
from domain.event import DomainEvent
from events.envelope import AppendResult, NewEvent, RecordedEvent, recorded_event, stored_actor
from events.errors import AppendOnlyError, ConcurrencyError, EventIdConflictError
from events.integrity import ChainVerifier, IntegrityProblem, StoredLink
from events.prepared import Prepared, prepare, the_one
from events.registry import EventRegistry
from infra.postgres import Pool

_COLUMNS = (
    "global_position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at, "
    "recorded_at, actor_role, actor_id, directive_id, causation_id, member_id, cell_id, payload, actor_account"
)

# One event, one statement (one round trip, its own transaction unless the caller holds one). The head
# lookup yields no row when the stream is not at the expected version: nothing is inserted.
_APPEND_ONE = """
WITH head AS (
    SELECT now() AS recorded_at,
           phancong_next_positions(1) AS position,
           CASE WHEN $2::integer = 0 THEN '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
                ELSE (SELECT hash FROM events WHERE stream_id = $1 AND stream_version = $2) END AS previous
)
INSERT INTO events (global_position, event_id, stream_id, stream_version, event_type, schema_version,
                    occurred_at, recorded_at, actor_role, actor_id, directive_id, causation_id, member_id,
                    cell_id, payload, content_hash, hash, actor_account)
SELECT h.position, $3, $1, $2 + 1, $4, $5, $6, h.recorded_at, $7, $8, $9, $10, $11, $12, $13, $14,
       phancong_link_hash(h.previous, $14, h.recorded_at), $15
FROM head h
WHERE h.previous IS NOT NULL
RETURNING global_position
"""

_APPEND_MANY = """
WITH head AS (
    SELECT now() AS recorded_at,
           phancong_next_positions(cardinality($3::uuid[])) AS first_position,
           CASE WHEN $2::integer = 0 THEN '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
                ELSE (SELECT hash FROM events WHERE stream_id = $1 AND stream_version = $2) END AS previous
), chain AS (
    SELECT c.n, c.hash
    FROM head h, phancong_chain_hashes(h.previous, $14::bytea[], h.recorded_at) c
    WHERE h.previous IS NOT NULL
)
INSERT INTO events (global_position, event_id, stream_id, stream_version, event_type, schema_version,
                    occurred_at, recorded_at, actor_role, actor_id, directive_id, causation_id, member_id,
                    cell_id, payload, content_hash, hash, actor_account)
SELECT h.first_position + b.n - 1, b.event_id, $1, $2 + b.n, b.event_type, b.schema_version, b.occurred_at,
       h.recorded_at, b.actor_role, b.actor_id, b.directive_id, b.causation_id, b.member_id, b.cell_id,
       b.payload, b.content_hash, c.hash, b.actor_account
FROM unnest($3::uuid[], $4::text[], $5::smallint[], $6::timestamptz[], $7::text[], $8::text[], $9::text[],
            $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::bytea[], $15::text[])
         WITH ORDINALITY AS b(event_id, event_type, schema_version, occurred_at, actor_role, actor_id,
                              directive_id, causation_id, member_id, cell_id, payload, content_hash,
                              actor_account, n)
     JOIN chain c ON c.n = b.n
     CROSS JOIN head h
ORDER BY b.n
RETURNING global_position
"""

_READ_ALL = f"""
SELECT {_COLUMNS}, hash FROM events
WHERE global_position > $1 AND global_position < phancong_settled_position()
ORDER BY global_position
LIMIT $2
"""

_READ_DIRECTIVES = f"""
SELECT {_COLUMNS}, hash FROM events
WHERE directive_id IS NOT NULL AND ($1::text IS NULL OR directive_id = $1)
  AND global_position > $2 AND global_position <= $3
ORDER BY global_position
LIMIT $4
"""

_READ_STREAM = f"""
SELECT {_COLUMNS}, hash FROM events
WHERE stream_id = $1 AND stream_version > $2 AND stream_version <= $3
ORDER BY stream_version
"""


async def _insert(
    conn: asyncpg.Connection, stream_id: str, expected_version: int, prepared: list[Prepared]
) -> list[asyncpg.Record]:
    if len(prepared) == 1:
        p = prepared[0]
        return await conn.fetch(
            _APPEND_ONE,
            stream_id,
            expected_version,
            p.event_id,
            p.event_type,
            p.schema_version,
            p.occurred_at,
            p.actor_role,
            p.actor_id,
            p.directive_id,
            p.causation_id,
            p.member_id,
            p.cell_id,
            p.payload,
            p.content_hash,
            p.actor_account,
        )
    return await conn.fetch(
        _APPEND_MANY,
        stream_id,
        expected_version,
        [p.event_id for p in prepared],
        [p.event_type for p in prepared],
        [p.schema_version for p in prepared],
        [p.occurred_at for p in prepared],
        [p.actor_role for p in prepared],
        [p.actor_id for p in prepared],
        [p.directive_id for p in prepared],
        [p.causation_id for p in prepared],
        [p.member_id for p in prepared],
        [p.cell_id for p in prepared],
        [p.payload for p in prepared],
        [p.content_hash for p in prepared],
        [p.actor_account for p in prepared],
    )


class EventStore:
    """Append-only, hash-chained streams of events in one PostgreSQL table (see ``migrations/sql``).

    Every method takes an optional ``connection`` so that a caller can append within its own transaction
    (e.g. a read model and its events together); otherwise the store uses its pool.
    """

    def __init__(self, pool: Pool, registry: EventRegistry) -> None:
        self._pool = pool
        self.registry = registry

    @classmethod
    async def open(cls, pool: Pool, registry: EventRegistry) -> EventStore:
        """A store over ``pool``, refusing a database whose schema is not this code's."""
        async with pool.acquire() as conn:
            await migrations.ensure_current(conn)
        return cls(pool, registry)

    # -- writing ---------------------------------------------------------------------------------------

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent[DomainEvent]],
        *,
        connection: asyncpg.Connection | None = None,
    ) -> AppendResult:
        """Append ``events`` after version ``expected_version`` of ``stream_id``, all or nothing.

        Raises ConcurrencyError if the stream is elsewhere (nothing written). Sending events that are
        already stored (same ids, same content) is a no-op reported as ``duplicate``; an id stored with
        different content raises EventIdConflictError.
        """
        if not events:
            raise ValueError("append needs at least one event")
        if expected_version < 0:
            raise ValueError("expected_version cannot be negative")
        prepared = [prepare(stream_id, expected_version + i, e) for i, e in enumerate(events, start=1)]
        if connection is None:
            async with self._pool.acquire() as conn:
                return await self._append(conn, stream_id, expected_version, prepared, savepoint=False)
        return await self._append(connection, stream_id, expected_version, prepared, savepoint=True)

    async def _append(
        self,
        conn: asyncpg.Connection,
        stream_id: str,
        expected_version: int,
        prepared: list[Prepared],
        *,
        savepoint: bool,
    ) -> AppendResult:
        try:
            if savepoint:
                # In the caller's transaction a failed statement would abort it: isolate ours.
                async with conn.transaction():
                    rows = await _insert(conn, stream_id, expected_version, prepared)
            else:
                rows = await _insert(conn, stream_id, expected_version, prepared)
        except asyncpg.UniqueViolationError:
            return await self._resolve_conflict(conn, stream_id, expected_version, prepared)
        if not rows:
            return await self._resolve_conflict(conn, stream_id, expected_version, prepared)
        return AppendResult(
            stream_id=stream_id,
            version=expected_version + len(prepared),
            positions=[row["global_position"] for row in rows],
        )

    async def _resolve_conflict(
        self, conn: asyncpg.Connection, stream_id: str, expected_version: int, prepared: list[Prepared]
    ) -> AppendResult:
        """After a refused append: a retry of stored events succeeds; anything else is a conflict."""
        stored = await conn.fetch(
            "SELECT event_id, stream_id, stream_version, content_hash, global_position FROM events "
            "WHERE event_id = ANY($1::uuid[])",
            [p.event_id for p in prepared],
        )
        by_id = {row["event_id"]: row for row in stored}
        for p in prepared:
            row = by_id.get(p.event_id)
            if row is not None and row["content_hash"] != p.content_hash:
                raise EventIdConflictError(p.event_id, row["stream_id"], row["stream_version"])
        if len(by_id) == len(prepared):
            ordered = [by_id[p.event_id] for p in prepared]
            return AppendResult(
                stream_id=stream_id,
                version=ordered[-1]["stream_version"],
                positions=[row["global_position"] for row in ordered],
                duplicate=True,
            )
        actual = await conn.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1", stream_id
        )
        raise ConcurrencyError(stream_id, expected_version, actual)

    # -- reading ---------------------------------------------------------------------------------------

    def _decode(self, rows: list[asyncpg.Record]) -> list[RecordedEvent]:
        # One stored event that cannot be read must not stop every reader: it is read as an UndecodableEvent.
        decode, build, actor = self.registry.read, recorded_event, stored_actor
        return [
            build(
                {
                    "global_position": position,
                    "event_id": event_id,
                    "stream_id": stream_id,
                    "stream_version": version,
                    "event_type": event_type,
                    "schema_version": schema_version,
                    "occurred_at": occurred_at,
                    "recorded_at": recorded_at,
                    "actor": actor(role, actor_id, account),
                    "directive_id": directive_id,
                    "causation_id": causation_id,
                    "member_id": member_id,
                    "cell_id": cell_id,
                    "payload": decode(event_type, schema_version, payload),
                    "hash": digest.hex(),
                }
            )
            # The column order of _COLUMNS, then hash.
            for (
                position,
                event_id,
                stream_id,
                version,
                event_type,
                schema_version,
                occurred_at,
                recorded_at,
                role,
                actor_id,
                directive_id,
                causation_id,
                member_id,
                cell_id,
                payload,
                account,
                digest,
            ) in rows
        ]

    async def stream_version(self, stream_id: str, *, connection: asyncpg.Connection | None = None) -> int:
        """The version of the stream's last event (0 for a stream without events)."""
        sql = "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1"
        if connection is not None:
            version: int = await connection.fetchval(sql, stream_id)
        else:
            version = await self._pool.fetchval(sql, stream_id)
        return version

    async def read_stream(
        self,
        stream_id: str,
        *,
        after_version: int = 0,
        to_version: int | None = None,
        connection: asyncpg.Connection | None = None,
    ) -> list[RecordedEvent]:
        """The stream's events in version order, optionally a range ``(after_version, to_version]``."""
        args = (stream_id, after_version, to_version if to_version is not None else 2**31 - 1)
        if connection is not None:
            rows = await connection.fetch(_READ_STREAM, *args)
        else:
            rows = await self._pool.fetch(_READ_STREAM, *args)
        return self._decode(rows)

    async def read_directives(
        self,
        directive_id: str | None,
        *,
        after_position: int,
        through_position: int,
        limit: int = 1000,
        connection: asyncpg.Connection | None = None,
    ) -> list[RecordedEvent]:
        """The events of one directive (or of every directive), its own and its assignments', in position order
        within ``(after_position, through_position]``."""
        args = (directive_id, after_position, through_position, limit)
        rows = await (connection or self._pool).fetch(_READ_DIRECTIVES, *args)
        return self._decode(rows)

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """The next settled events of the global log after ``after_position``, in position order.

        Only positions below every open transaction's are returned (see ``phancong_next_positions``), so a
        catch-up reader that resumes from the last position it saw never skips an event committed late.
        """
        rows = await self._pool.fetch(_READ_ALL, after_position, limit)
        return self._decode(rows)

    async def iter_all(self, after_position: int = 0, batch_size: int = 1000) -> AsyncIterator[RecordedEvent]:
        """Every settled event after ``after_position``, page by page, until the reader has caught up."""
        position = after_position
        while True:
            page = await self.read_all(position, batch_size)
            for event in page:
                yield event
            if len(page) < batch_size:
                return
            position = page[-1].global_position

    async def read_by(
        self,
        *,
        directive_id: str | None = None,
        member_id: str | None = None,
        cell_id: str | None = None,
        after_position: int = 0,
        limit: int = 1000,
    ) -> list[RecordedEvent]:
        """Events of one directive, member or cell (give exactly one), in position order."""
        column, value = the_one("read_by", directive_id=directive_id, member_id=member_id, cell_id=cell_id)
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS}, hash FROM events WHERE {column} = $1 AND global_position > $2 "
            "ORDER BY global_position LIMIT $3",
            value,
            after_position,
            limit,
        )
        return self._decode(rows)

    async def history(
        self,
        *,
        stream_id: str | None = None,
        member_id: str | None = None,
        cell_id: str | None = None,
        recorded_before: datetime | None = None,
    ) -> list[RecordedEvent]:
        """Every event of one stream, member or cell (give exactly one) recorded before ``recorded_before``
        (all when None), in log order: what the record said at that moment."""
        column, value = the_one("history", stream_id=stream_id, member_id=member_id, cell_id=cell_id)
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS}, hash FROM events WHERE {column} = $1 "
            "AND ($2::timestamptz IS NULL OR recorded_at < $2) ORDER BY global_position",
            value,
            recorded_before,
        )
        return self._decode(rows)

    async def settled_position(self) -> int:
        """The position every catch-up reader can safely read up to (exclusive) right now."""
        position: int = await self._pool.fetchval("SELECT phancong_settled_position()")
        return position

    # -- integrity -------------------------------------------------------------------------------------

    async def verify(self, stream_id: str | None = None, *, batch_size: int = 5000) -> list[IntegrityProblem]:
        """Recompute every hash of one stream (or all) and return the first broken link of each stream."""
        where = "WHERE stream_id = $1" if stream_id is not None else ""
        args: tuple[Any, ...] = (stream_id,) if stream_id is not None else ()
        sql = f"SELECT {_COLUMNS}, content_hash, hash FROM events {where} ORDER BY stream_id, stream_version"
        verifier = ChainVerifier()
        problems: list[IntegrityProblem] = []
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            async for row in conn.cursor(sql, *args, prefetch=batch_size):
                problem = verifier.check(StoredLink.model_validate(dict(row)))
                if problem is not None:
                    problems.append(problem)
        return problems


def refused_change(exc: BaseException) -> AppendOnlyError | None:
    """The store's error for the database's refusal to change an event, if ``exc`` is that refusal."""
    if isinstance(exc, asyncpg.PostgresError) and exc.sqlstate == "PCA01":
        return AppendOnlyError(str(exc))
    return None
