"""Events a read model could not apply: recorded, shown by ``projections status``, told to HQ, applied again by a
rebuild once the cause is fixed. One such event never stops the read side for everyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from events import RecordedEvent
from events.registry import UndecodableEvent
from infra.postgres import Pool

UNREADABLE = "*"  # the read model named for an event that could not be read at all

# What an event can do to a projection that no retry changes: a value a column refuses, a fold that cannot
# follow, a payload the code does not expect. A lost connection or a swapped table is not among them: the
# batch is tried again as a whole.
EVENT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    AssertionError,
)


@dataclass(frozen=True)
class Failure:
    projection: str
    event_id: UUID
    position: int
    stream_id: str
    version: int
    event_type: str
    error: str
    failed_at: datetime
    notified_at: datetime | None


async def record_failure(conn: asyncpg.Connection, projection: str, event: RecordedEvent, error: str) -> None:
    await conn.execute(
        "INSERT INTO projection_failures (projection, event_id, position, stream_id, version, event_type, error, "
        "failed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (projection, event_id) DO NOTHING",
        projection,
        event.event_id,
        event.global_position,
        event.stream_id,
        event.stream_version,
        event.event_type,
        error[:2000],
        event.recorded_at,
    )


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


def unreadable(event: RecordedEvent) -> str | None:
    """Why ``event`` could not be read, if it could not."""
    payload = event.payload
    return payload.error if isinstance(payload, UndecodableEvent) else None


async def failures(pool: Pool, *, unnotified: bool = False, limit: int = 1000) -> list[Failure]:
    rows = await pool.fetch(
        "SELECT projection, event_id, position, stream_id, version, event_type, error, failed_at, notified_at "
        "FROM projection_failures WHERE ($1::boolean IS FALSE OR notified_at IS NULL) ORDER BY position LIMIT $2",
        unnotified,
        limit,
    )
    return [Failure(**dict(r)) for r in rows]


async def mark_notified(pool: Pool, failure: Failure) -> None:
    await pool.execute(
        "UPDATE projection_failures SET notified_at = now() WHERE projection = $1 AND event_id = $2",
        failure.projection,
        failure.event_id,
    )
