"""The notification outbox: rows to deliver, what delivery chose and how it ended."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from directory.repository import DirectoryRepository
from domain.assignment import FoldError, fold, stream_of
from domain.calendar import local_date
from domain.notices import Notice
from domain.vocabulary import Subject
from events import EventStore
from infra.postgres import Pool
from notifications.channels import Channels
from notifications.messages import render
from notifications.models import Message, Names, Notification, Outgoing, PreparedDelivery, Reminded, Send


class UnknownNotificationError(LookupError):
    pass


_INSERT = """
INSERT INTO notifications (notification_id, directive_id, assignment_id, stream_id, notice_key, recipient_role,
                           recipient_id, subject, escalation, due_on, reference, details, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, coalesce($13, now()))
ON CONFLICT (notification_id) DO NOTHING
"""


async def queue(
    pool: Pool,
    notification_id: UUID,
    notice: Notice,
    *,
    stream_id: str,
    directive_id: str | None = None,
    assignment_id: str | None = None,
    queued_at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Put a notice in the outbox under its (derived) id; True if it is new (queuing it again changes nothing)."""
    recorded = {
        "responsible": str(notice.responsible) if notice.responsible else None,
        "reminders": list(notice.reminders),
        **(details or {}),
    }
    status = await pool.execute(
        _INSERT,
        notification_id,
        directive_id,
        assignment_id,
        stream_id,
        notice.key,
        notice.recipient.role.value,
        notice.recipient.id,
        notice.subject.value,
        notice.escalation,
        notice.due_on,
        notice.reference,
        json.dumps(recorded, ensure_ascii=False),
        queued_at,
    )
    return status.endswith(" 1")


def _notification(row: asyncpg.Record) -> Notification:
    details = row["details"]
    return Notification(
        notification_id=str(row["notification_id"]),
        directive_id=row["directive_id"],
        assignment_id=row["assignment_id"],
        recipient_role=row["recipient_role"],
        recipient_id=row["recipient_id"],
        subject=Subject(row["subject"]),
        escalation=row["escalation"],
        due_on=row["due_on"],
        reference=row["reference"],
        details=json.loads(details) if isinstance(details, str) else dict(details),
    )


class Outbox:
    def __init__(self, pool: Pool, store: EventStore, channels: Channels) -> None:
        self._pool = pool
        self._store = store
        self._channels = channels
        self._directory = DirectoryRepository(pool)

    async def prepare(self, notification_id: UUID) -> PreparedDelivery:
        """Choose the targets from the recipient's contacts, render the message in their language."""
        row = await self._pool.fetchrow("SELECT * FROM notifications WHERE notification_id = $1", notification_id)
        if row is None:
            raise UnknownNotificationError(f"no notification {notification_id}")
        n = _notification(row)
        if n.escalation and n.details.get("reminders"):
            n = n.model_copy(update={"chain": await self._chain(row["stream_id"], n.details["reminders"])})
        contacts = await self._directory.contacts(n.recipient_role, n.recipient_id)
        targets = self._channels.targets(n.recipient, contacts)
        names = await self._names(n)
        outgoing = {
            language: self._outgoing(n, render(n, names, language)) for language in {t.language for t in targets}
        }
        first = outgoing[targets[0].language].message
        version: int = await self._pool.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1",
            f"notification-{notification_id}",
        )
        await self._pool.execute(
            "UPDATE notifications SET channel = $2, address = $3, language = $4, message = $5::jsonb "
            "WHERE notification_id = $1",
            notification_id,
            ",".join(sorted({t.channel for t in targets})),
            ", ".join(t.address for t in targets if t.address) or None,
            first.language,
            first.model_dump_json(),
        )
        return PreparedDelivery(notification=n, targets=targets, outgoing=outgoing, version=version)

    @staticmethod
    def _outgoing(n: Notification, message: Message) -> Outgoing:
        payload = {
            "notification_id": n.notification_id,
            "idempotency_key": n.notification_id,
            "recipient": {"role": n.recipient_role, "id": n.recipient_id},
            "subject": n.subject.value,
            "escalation": n.escalation,
            "due_on": n.due_on.isoformat() if n.due_on else None,
            "directive_id": n.directive_id,
            "assignment_id": n.assignment_id,
            "reference": n.reference,
            "details": n.details,
            "reminders_before": [r.model_dump(mode="json") for r in n.chain],
            "message": message.model_dump(mode="json"),
        }
        return Outgoing(
            notification_id=n.notification_id, idempotency_key=n.notification_id, message=message, payload=payload
        )

    async def _chain(self, stream_id: str, keys: list[str]) -> tuple[Reminded, ...]:
        rows = await self._pool.fetch(
            "SELECT notice_key, recipient_role, recipient_id, created_at, status, channel FROM notifications "
            "WHERE stream_id = $1 AND notice_key = ANY($2::text[]) ORDER BY created_at, notice_key",
            stream_id,
            keys,
        )
        return tuple(
            Reminded(
                key=r["notice_key"],
                recipient=f"{r['recipient_role']}:{r['recipient_id']}" if r["recipient_id"] else r["recipient_role"],
                queued_on=local_date(r["created_at"]),
                status=r["status"],
                channel=r["channel"],
            )
            for r in rows
        )

    async def _names(self, n: Notification) -> Names:
        """Who and what the notice concerns, from the event store (the source of truth, never behind)."""
        state = None
        if n.assignment_id:
            with contextlib.suppress(FoldError):  # a stored event the fold cannot follow: ids instead of names
                state = fold(e.payload for e in await self._store.read_stream(stream_of(n.assignment_id)))
        title = None
        if n.directive_id:  # the title alone: a national directive's first event carries every cell and post
            title = await self._pool.fetchval(
                "SELECT payload ->> 'title' FROM events WHERE stream_id = $1 AND stream_version = 1 "
                "AND event_type = 'DirectiveIssued'",
                f"directive-{n.directive_id}",
            )
        member_id = state.member_id if state else None
        cell_id = state.serving_cell_id if state else None
        member = await self._directory.name_of("member", member_id)
        cell = await self._directory.name_of("cell", cell_id)
        return Names(
            member=f"{member} ({member_id})" if member else member_id,
            cell=f"{cell} ({cell_id})" if cell else cell_id,
            commune=await self._directory.name_of("commune", state.commune_id if state else None),
            post=await self._directory.name_of("post", state.post_id if state else None),
            directive=f"{n.directive_id} ({title})" if title else n.directive_id,
        )

    async def send(self, send: Send) -> None:
        await self._channels.send(send.target, send.outgoing)

    async def record(self, notification_id: UUID, status: str, attempts: int, error: str | None) -> None:
        await self._pool.execute(
            "UPDATE notifications SET status = $2, attempts = $3, last_error = $4, "
            "delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END WHERE notification_id = $1",
            notification_id,
            status,
            attempts,
            error,
        )


def message_of(row: asyncpg.Record) -> Message | None:
    raw = row["message"]
    return Message.model_validate_json(raw) if raw else None
