"""Delivery activities: prepare a notification, send it, record the outcome, compose the daily digests."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from app.ports import ReadModels
from app.tasks import open_tasks
from directory.repository import DirectoryRepository
from domain import ids
from domain.actors import Actor, Role
from domain.notices import Notice
from domain.vocabulary import Recipient, Subject
from events import seals
from infra.postgres import Pool
from notifications.attempts import Attempts
from notifications.channels import DeliveryError
from notifications.models import AttemptInput, AttemptOutcome, PreparedDelivery, Send
from notifications.outbox import Outbox, queue
from workflows.calls import DeliveryCalls
from workflows.delivery import DeliveryWorkflow
from workflows.delivery_io import DeliveryInput, DeliveryRecord, DigestInput


def delivery_workflow_id(notification_id: UUID) -> str:
    return f"delivery:{notification_id}"


class Deliveries:
    """Starts a notification's delivery; a delivery already started (or finished) is left alone."""

    def __init__(self, client: Client, max_attempts: int, backoff_seconds: int, timeout_seconds: int = 90) -> None:
        self.client = client
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds

    async def start(self, notification_id: UUID, task_queue: str, *, retried_by: Actor | None = None) -> bool:
        request = DeliveryInput(
            notification_id=notification_id,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
            attempt_timeout_seconds=self.timeout_seconds,
            retried_by=retried_by,
        )
        try:
            await self.client.start_workflow(
                DeliveryWorkflow.run,
                request,
                id=delivery_workflow_id(notification_id),
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                # A finished delivery is not started again by a retried queueing; HQ's retry says so explicitly.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE
                if retried_by
                else WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            return False
        return True


class DeliveryActivities(DeliveryCalls):
    def __init__(
        self, outbox: Outbox, pool: Pool, deliveries: Deliveries, attempts: Attempts, read: ReadModels
    ) -> None:
        self._outbox = outbox
        self._pool = pool
        self._read = read
        self._deliveries = deliveries
        self._attempts = attempts
        self._directory = DirectoryRepository(pool)

    @activity.defn(name="attempt_delivery")
    async def attempt_delivery(self, request: AttemptInput) -> AttemptOutcome:
        """One attempt, recorded; stamped with the Temporal server's time (a simulation's clock, too)."""
        info = activity.info()
        return await self._attempts.attempt(
            request, info.current_attempt_scheduled_time, f"delivery:{info.workflow_id}", resumed=info.attempt > 1
        )

    # The activities of LegacyDeliveryWorkflow (runs started before attempt_delivery).

    @activity.defn(name="prepare_delivery")
    async def prepare_delivery(self, notification_id: UUID) -> PreparedDelivery:
        return await self._outbox.prepare(notification_id)

    @activity.defn(name="deliver_notification")
    async def deliver_notification(self, send: Send) -> None:
        try:
            await self._outbox.send(send)
        except DeliveryError as exc:
            raise ApplicationError(str(exc), type="delivery_failed", non_retryable=exc.permanent) from exc

    @activity.defn(name="record_delivery")
    async def record_delivery(self, record: DeliveryRecord) -> None:
        await self._outbox.record(record.notification_id, record.status, record.attempts, record.error)

    @activity.defn(name="compose_digests")
    async def compose_digests(self, request: DigestInput) -> int:
        """Queue one digest per officer with open tasks on that day, and start their deliveries."""
        day = request.day
        assert day is not None
        await self._read.catch_up()
        officers = [
            Actor(role=Role(role), id=ident) for role, ident in sorted(await self._read.officers_with_assignments())
        ]
        queued = 0
        for actor in [Actor(role=Role.HQ), *officers]:
            tasks = await open_tasks(self._read, actor, day)
            if not tasks:
                continue
            notification_id = uuid.uuid5(ids.PHANCONG_NAMESPACE, f"digest/{day}/{actor}")
            notice = Notice(
                key=f"digest:{day}",
                recipient=Recipient(role=actor.role, id=actor.id),
                subject=Subject.DIGEST,
                due_on=day,
                reference=f"{len(tasks)}/{sum(1 for t in tasks if t.overdue)}",
            )
            details = {"tasks": [t.model_dump(mode="json") for t in tasks]}
            fresh = await queue(
                self._pool, notification_id, notice, stream_id=f"notification-{notification_id}", details=details
            )
            await self._deliveries.start(notification_id, activity.info().task_queue)
            queued += fresh
        await self._witness(day)
        return queued

    async def _witness(self, day: date) -> None:
        """The log's seal of the day, sent to the auditors' offices: a copy of the record's fingerprint that nobody
        with the database alone can rewrite (``audit verify --expect-seal`` checks the log against it)."""
        if not await self._directory.contacts(Role.AUDITOR.value, None):
            return
        await seals.seal(self._pool)
        latest = await seals.latest(self._pool)
        if latest is None:
            return
        notification_id = uuid.uuid5(ids.PHANCONG_NAMESPACE, f"seal/{day}")
        notice = Notice(
            key=f"seal:{day}", recipient=Recipient(role=Role.AUDITOR), subject=Subject.SEAL_WITNESS, due_on=day,
            reference=str(latest.seal_no),
        )  # fmt: skip
        details = {"seal_no": latest.seal_no, "events": latest.events, "hash": latest.hash.hex()}
        await queue(self._pool, notification_id, notice, stream_id=f"notification-{notification_id}", details=details)
        await self._deliveries.start(notification_id, activity.info().task_queue)
