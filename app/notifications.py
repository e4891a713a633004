"""Notifications: HQ and auditors see what was delivered and what is stuck; HQ retries a dead letter."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.scopes import require_role
from app.services import Services
from domain.actors import Actor, Role
from domain.errors import InvalidInputError, NotFoundError, WrongStateError

STATUSES = ("pending", "delivered", "dead")


async def listed(
    s: Services, viewer: Actor, *, status: str | None = None, recipient: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Notifications, newest first."""
    require_role(viewer, Role.HQ, Role.AUDITOR)
    assert s.outbox is not None, "the outbox is connected where notifications are read"
    if status not in (None, *STATUSES):
        raise InvalidInputError(f"--status {status!r}: pending, delivered or dead")
    if not 1 <= limit <= 10_000:
        raise InvalidInputError(f"--limit {limit}: 1 to 10,000")
    role, _, unit = (recipient or "").partition(":")
    return await s.outbox.list(status, role or None, unit or None, limit)


async def retry(s: Services, actor: Actor, notification: str) -> UUID:
    """HQ tries a dead-lettered notification again (every attempt is recorded)."""
    require_role(actor, Role.HQ)
    assert s.outbox is not None, "the outbox is connected where notifications are retried"
    try:
        notification_id = UUID(notification)
    except ValueError:
        raise InvalidInputError(f"{notification!r} is not a notification id") from None
    status = await s.outbox.status(notification_id)
    if status is None:
        raise NotFoundError(f"no notification {notification_id}")
    if status != "dead":
        raise WrongStateError(f"notification {notification_id} is {status}, not dead")
    await s.outbox.retry(notification_id, actor)
    return notification_id
