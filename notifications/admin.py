"""What HQ and auditors see of the outbox, and HQ's retry of a dead letter (``app.ports.Outbox``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from domain.actors import Actor
from infra.postgres import Pool


class PostgresOutbox:
    def __init__(self, pool: Pool, redeliver: Callable[[UUID, Actor], Awaitable[None]]) -> None:
        self._pool = pool
        self._redeliver = redeliver  # starts the delivery again (Temporal: reached only when a retry needs it)

    async def list(self, status: str | None, role: str | None, unit: str | None, limit: int) -> list[dict[str, Any]]:
        rows = await self._pool.fetch(
            "SELECT notification_id, created_at, recipient_role, recipient_id, subject, escalation, due_on, "
            "status, attempts, channel, address, last_error, delivered_at, message ->> 'subject' AS title "
            "FROM notifications WHERE ($1::text IS NULL OR status = $1) "
            "AND ($2::text IS NULL OR recipient_role = $2) AND ($3::text IS NULL OR recipient_id = $3) "
            "ORDER BY created_at DESC LIMIT $4",
            status,
            role,
            unit,
            limit,
        )
        return [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, UUID) else v)
                for k, v in r.items()
            }
            for r in rows
        ]

    async def status(self, notification_id: UUID) -> str | None:
        status: str | None = await self._pool.fetchval(
            "SELECT status FROM notifications WHERE notification_id = $1", notification_id
        )
        return status

    async def retry(self, notification_id: UUID, actor: Actor) -> None:
        await self._redeliver(notification_id, actor)
