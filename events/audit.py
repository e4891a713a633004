"""The record's integrity on PostgreSQL (``app.ports.Audit``): chains, seals, exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events import seals
from events.export import NothingToExportError, export_directive
from events.integrity import IntegrityProblem, LogReport, Seal
from events.store import EventStore
from infra.postgres import Pool


class PostgresAudit:
    def __init__(self, pool: Pool, store: EventStore) -> None:
        self._pool = pool
        self._store = store

    async def verify(self, stream: str | None) -> tuple[list[IntegrityProblem], LogReport | None]:
        """Every stream's chain (or one's), and the log's seals when the whole record is verified."""
        problems = await self._store.verify(stream)
        return problems, (await seals.verify_log(self._pool) if stream is None else None)

    async def seal(self) -> Seal | None:
        return await seals.seal(self._pool)

    async def holds_seal(self, seal_hash: bytes) -> bool:
        return bool(await self._pool.fetchval("SELECT 1 FROM log_seals WHERE hash = $1", seal_hash))

    async def export(self, directive: str, out: Path) -> dict[str, Any] | None:
        """The export's manifest, or None when the directive has no events."""
        try:
            return await export_directive(self._pool, directive, out)
        except NothingToExportError:
            return None
