"""The workflows' way into the event store: one idempotent append per decision."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from events import AppendResult, ConcurrencyError, EventIdConflictError, EventStore
from workflows.calls import AppendEventsInput, StoreCalls
from workflows.store import REFUSED


class EventActivities(StoreCalls):
    def __init__(self, store: EventStore) -> None:
        self._store = store

    @activity.defn(name="append_events")
    async def append_events(self, request: AppendEventsInput) -> AppendResult:
        """Append the workflow's events; a retry of stored events succeeds without writing them twice."""
        try:
            return await self._store.append(request.stream_id, request.expected_version, request.events)
        except (ConcurrencyError, EventIdConflictError) as exc:
            # Another writer, or different content under the same id: retrying cannot help.
            raise ApplicationError(str(exc), type=exc.code, non_retryable=True) from exc
        except asyncpg.DataError as exc:
            # A value PostgreSQL refuses (the boundary should have): no retry stores it, the caller must hear it.
            raise ApplicationError(f"a value the store refuses: {exc}", type=REFUSED, non_retryable=True) from exc
