"""The catch-up projector: follows the global log from a stored checkpoint, each batch in one transaction.

Exactly once: a batch's read-model changes and its new checkpoint commit together, and the checkpoint row is
locked while they are made, so two projectors (two workers, or the CLI catching up before a read) never
apply the same events twice. The log is polled (every ``idle`` seconds when caught up, at once otherwise),
which costs appends nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg
import structlog

from events import EventStore, RecordedEvent
from infra.postgres import Pool
from projections.base import Projection
from projections.failures import EVENT_ERRORS, UNREADABLE, describe, record_failure, unreadable

BATCH = 2000

log = structlog.stdlib.get_logger("phancong.projections")


class Projector:
    def __init__(
        self,
        pool: Pool,
        store: EventStore,
        projections: Sequence[Projection],
        name: str = "main",
        schema: str | None = None,
    ) -> None:
        self._pool = pool
        self._store = store
        self._projections = list(projections)
        self.name = name
        # A schema of fresh tables to fill instead of the live ones (a rebuild); its names are found first.
        self._search_path = f"SET LOCAL search_path TO {schema}, public" if schema else None

    async def position(self) -> int:
        sql = "SELECT position FROM projection_checkpoints WHERE name = $1"
        if not self._search_path:
            return int(await self._pool.fetchval(sql, self.name) or 0)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(self._search_path)
            return int(await conn.fetchval(sql, self.name) or 0)

    async def step(self, batch: int = BATCH) -> int:
        """Apply the next batch of settled events; how many (0 when caught up, -1 when another projector
        applied it meanwhile: read again)."""
        start = await self.position()
        events = await self._store.read_all(start, batch)
        if not events:
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            if self._search_path:
                await conn.execute(self._search_path)
            await conn.execute(
                "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", self.name
            )
            locked = await conn.fetchval(
                "SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE", self.name
            )
            if locked != start:
                return -1
            await self.apply(conn, events)
        return len(events)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        """Apply ``events`` and move the checkpoint, on ``conn`` (in a transaction that holds the checkpoint).

        An event a read model cannot apply (or that cannot be read) is recorded in ``projection_failures`` and
        left out of that read model; every other event and read model goes on.
        """
        readable = []
        for event in events:
            why = unreadable(event)
            if why is None:
                readable.append(event)
            else:
                await record_failure(conn, UNREADABLE, event, why)
        for projection in self._projections:
            try:
                async with conn.transaction():  # a savepoint: a refused batch leaves nothing behind
                    await projection.apply(conn, readable)
            except EVENT_ERRORS:
                await self._one_by_one(conn, projection, readable)
        await conn.execute(
            "UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1",
            self.name,
            events[-1].global_position,
        )

    async def _one_by_one(
        self, conn: asyncpg.Connection, projection: Projection, events: Sequence[RecordedEvent]
    ) -> None:
        """Apply a refused batch event by event, to record the events that cannot be applied and keep the rest."""
        for event in events:
            try:
                async with conn.transaction():
                    await projection.apply(conn, [event])
            except EVENT_ERRORS as error:
                log.error(
                    "a read model cannot apply an event",
                    projection=projection.name,
                    event_id=str(event.event_id),
                    stream=event.stream_id,
                    version=event.stream_version,
                    error=describe(error),
                )
                await record_failure(conn, projection.name, event, describe(error))

    async def catch_up(self) -> int:
        """Apply everything settled now; how many events."""
        total = 0
        while applied := await self.step():
            total += max(applied, 0)
        return total

    async def run(self, stop: asyncio.Event, idle: float = 0.2) -> None:
        """Follow the log until ``stop``. A failed batch (the database restarting, the tables swapped by a
        rebuild under it) is logged and tried again: its transaction rolled back, nothing was applied."""
        failures = 0
        while not stop.is_set():
            try:
                applied = await self.step()
                failures = 0
            except (asyncpg.PostgresError, OSError) as error:
                failures += 1
                log.warning("projection batch failed, trying again", error=str(error), failures=failures)
                applied = 0
            if applied == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle * min(failures + 1, 25))
