"""Queueing reminders in the notification outbox (delivery to people reads the outbox)."""

from __future__ import annotations

from temporalio import activity

from activities.delivery import Deliveries
from infra.postgres import Pool
from notifications.outbox import queue
from workflows.calls import NoticeCalls, ReminderInput


class NotificationActivities(NoticeCalls):
    def __init__(self, pool: Pool, deliveries: Deliveries | None = None) -> None:
        self._pool = pool
        self._deliveries = deliveries

    @activity.defn(name="send_reminder")
    async def send_reminder(self, request: ReminderInput) -> bool:
        """Queue one notice and start its delivery; True if it was new (a retry finds it queued, its delivery
        started, and changes nothing)."""
        queued = await queue(
            self._pool,
            request.notification_id,
            request.notice,
            stream_id=request.stream_id,
            directive_id=request.directive_id,
            assignment_id=request.assignment_id,
            queued_at=request.queued_at,
        )
        if self._deliveries is not None:
            await self._deliveries.start(request.notification_id, activity.info().task_queue)
        return queued
