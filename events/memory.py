"""The event store in memory: the same contract as the PostgreSQL store (tests/events/test_store_contract.py runs
one suite against both), for the use cases' unit tests, which run in milliseconds.

Events are kept as the PostgreSQL store keeps them (canonical payload, content hash, chain hash) and read back
through the registry, so what one store refuses or reads, the other does too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.actors import Actor, Role
from domain.event import DomainEvent
from events.envelope import AppendResult, NewEvent, RecordedEvent, recorded_event
from events.errors import ConcurrencyError, EventIdConflictError
from events.integrity import ZERO_HASH, chain_hash
from events.prepared import Prepared, prepare, the_one
from events.registry import EventRegistry


@dataclass(frozen=True)
class _Row:
    stream_id: str
    version: int
    position: int
    recorded_at: datetime
    prepared: Prepared
    hash: bytes


class MemoryEventStore:
    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry
        self._streams: dict[str, list[_Row]] = {}
        self._by_id: dict[UUID, _Row] = {}
        self._log: list[_Row] = []
        self._lock = asyncio.Lock()

    # -- writing ---------------------------------------------------------------------------------------

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent[DomainEvent]]
    ) -> AppendResult:
        """Append ``events`` after ``expected_version``, all or nothing (see ``events.store.EventStore.append``)."""
        if not events:
            raise ValueError("append needs at least one event")
        if expected_version < 0:
            raise ValueError("expected_version cannot be negative")
        prepared = [prepare(stream_id, expected_version + i, e) for i, e in enumerate(events, start=1)]
        async with self._lock:
            stored = [self._by_id.get(p.event_id) for p in prepared]
            for p, row in zip(prepared, stored, strict=True):
                if row is not None and row.prepared.content_hash != p.content_hash:
                    raise EventIdConflictError(p.event_id, row.stream_id, row.version)
            if all(row is not None for row in stored):
                rows = [row for row in stored if row is not None]
                return AppendResult(
                    stream_id=stream_id,
                    version=rows[-1].version,
                    positions=[row.position for row in rows],
                    duplicate=True,
                )
            stream = self._streams.setdefault(stream_id, [])
            if len(stream) != expected_version or any(row is not None for row in stored):
                raise ConcurrencyError(stream_id, expected_version, len(stream))
            now = datetime.now(UTC)
            previous = stream[-1].hash if stream else ZERO_HASH
            added: list[_Row] = []
            for version, p in enumerate(prepared, start=expected_version + 1):
                previous = chain_hash(previous, p.content_hash, now)
                added.append(_Row(stream_id, version, len(self._log) + len(added) + 1, now, p, previous))
            stream.extend(added)
            self._log.extend(added)
            self._by_id.update((row.prepared.event_id, row) for row in added)
        return AppendResult(
            stream_id=stream_id, version=expected_version + len(added), positions=[row.position for row in added]
        )

    # -- reading ---------------------------------------------------------------------------------------

    def _read(self, row: _Row) -> RecordedEvent:
        p = row.prepared
        return recorded_event(
            {
                "global_position": row.position,
                "event_id": p.event_id,
                "stream_id": row.stream_id,
                "stream_version": row.version,
                "event_type": p.event_type,
                "schema_version": p.schema_version,
                "occurred_at": p.occurred_at,
                "recorded_at": row.recorded_at,
                "actor": Actor(role=Role(p.actor_role), id=p.actor_id, account=p.actor_account),
                "directive_id": p.directive_id,
                "causation_id": p.causation_id,
                "member_id": p.member_id,
                "cell_id": p.cell_id,
                "payload": self.registry.read(p.event_type, p.schema_version, p.payload),
                "hash": row.hash.hex(),
            }
        )

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, ()))

    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, to_version: int | None = None
    ) -> list[RecordedEvent]:
        last = to_version if to_version is not None else 2**31 - 1
        return [self._read(r) for r in self._streams.get(stream_id, ()) if after_version < r.version <= last]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return [self._read(r) for r in self._log[after_position : after_position + limit]]

    async def iter_all(self, after_position: int = 0, batch_size: int = 1000) -> AsyncIterator[RecordedEvent]:
        for row in self._log[after_position:]:
            yield self._read(row)

    async def read_by(
        self,
        *,
        directive_id: str | None = None,
        member_id: str | None = None,
        cell_id: str | None = None,
        after_position: int = 0,
        limit: int = 1000,
    ) -> list[RecordedEvent]:
        column, value = the_one("read_by", directive_id=directive_id, member_id=member_id, cell_id=cell_id)
        found = [r for r in self._log[after_position:] if getattr(r.prepared, column) == value]
        return [self._read(r) for r in found[:limit]]

    async def history(
        self,
        *,
        stream_id: str | None = None,
        member_id: str | None = None,
        cell_id: str | None = None,
        recorded_before: datetime | None = None,
    ) -> list[RecordedEvent]:
        column, value = the_one("history", stream_id=stream_id, member_id=member_id, cell_id=cell_id)
        rows = self._streams.get(value, []) if column == "stream_id" else self._log
        return [
            self._read(r)
            for r in rows
            if (column == "stream_id" or getattr(r.prepared, column) == value)
            and (recorded_before is None or r.recorded_at < recorded_before)
        ]

    async def settled_position(self) -> int:
        return len(self._log) + 1
