"""Queueing reminders in the notification outbox (delivery to people reads the outbox)."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from temporalio import activity

from activities.delivery import Deliveries
from domain.notices import Notice
from phancong.database import Pool


class ReminderInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: UUID
    stream_id: str
    directive_id: str | None
    assignment_id: str | None
    notice: Notice
    queued_at: datetime | None = None  # the workflow's time when the notice arose (the database's if absent)


_INSERT = """
INSERT INTO notifications (notification_id, directive_id, assignment_id, stream_id, notice_key, recipient_role,
                           recipient_id, subject, escalation, due_on, reference, details, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, coalesce($13, now()))
ON CONFLICT (notification_id) DO NOTHING
"""


class NotificationActivities:
    def __init__(self, pool: Pool, deliveries: Deliveries | None = None) -> None:
        self._pool = pool
        self._deliveries = deliveries

    @activity.defn(name="send_reminder")
    async def send_reminder(self, request: ReminderInput) -> bool:
        """Queue one notice and start its delivery; True if it was new (a retry finds it queued, its delivery
        started, and changes nothing)."""
        notice = request.notice
        details = {
            "responsible": str(notice.responsible) if notice.responsible else None,
            "reminders": list(notice.reminders),
        }
        status = await self._pool.execute(
            _INSERT,
            request.notification_id,
            request.directive_id,
            request.assignment_id,
            request.stream_id,
            notice.key,
            notice.recipient.role.value,
            notice.recipient.id,
            notice.subject.value,
            notice.escalation,
            notice.due_on,
            notice.reference,
            json.dumps(details, ensure_ascii=False),
            request.queued_at,
        )
        if self._deliveries is not None:
            await self._deliveries.start(request.notification_id, activity.info().task_queue)
        return status.endswith(" 1")
