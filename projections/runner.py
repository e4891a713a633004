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

from events import EventStore
from phancong.database import Pool
from projections.base import Projection

BATCH = 2000


class Projector:
    def __init__(self, pool: Pool, store: EventStore, projections: Sequence[Projection], name: str = "main") -> None:
        self._pool = pool
        self._store = store
        self._projections = list(projections)
        self.name = name

    async def position(self) -> int:
        value = await self._pool.fetchval("SELECT position FROM projection_checkpoints WHERE name = $1", self.name)
        return int(value or 0)

    async def step(self, batch: int = BATCH) -> int:
        """Apply the next batch of settled events; how many (0 when caught up)."""
        start = await self.position()
        events = await self._store.read_all(start, batch)
        if not events:
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", self.name
            )
            locked = await conn.fetchval(
                "SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE", self.name
            )
            if locked != start:
                return 0  # another projector applied this batch meanwhile; read again
            for projection in self._projections:
                await projection.apply(conn, events)
            await conn.execute(
                "UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1",
                self.name,
                events[-1].global_position,
            )
        return len(events)

    async def catch_up(self) -> int:
        """Apply everything settled now; how many events."""
        total = 0
        while applied := await self.step():
            total += applied
        return total

    async def run(self, stop: asyncio.Event, idle: float = 0.2) -> None:
        while not stop.is_set():
            if await self.step() == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)
