"""DeliveryWorkflow: one notification, delivered at least once, every attempt recorded as an event.

Each attempt is one activity (``attempt_delivery``: send to every target still waiting, record the attempt,
settle the notification if it can be); the workflow sleeps between attempts, backing off (doubling from the
configured delay, at most an hour). A permanent refusal or the last failed attempt dead-letters the
notification, which HQ can list and retry. Its events go to ``notification-{id}``. DigestWorkflow runs daily
on a Schedule and queues each officer's open tasks.

LegacyDeliveryWorkflow is the earlier shape (four activities per attempt, so three times the work for the
Temporal server per notification): kept, unchanged, for the runs it started, until none is left.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.actors import SYSTEM, Actor
    from domain.calendar import local_date
    from domain.event import DomainEvent
    from domain.events.notification import NotificationDeadLettered, NotificationDelivered, NotificationRetried
    from events.envelope import NewEvent
    from notifications.models import AttemptInput, AttemptOutcome, Send, Target
    from notifications.models import attempted as record_of
    from workflows.calls import DeliveryCalls, StoreCalls, append_input
    from workflows.delivery_io import DeliveryInput, DeliveryRecord, DigestInput
    from workflows.store import ACTIVITY_TIMEOUT, STORE_RETRY

MAX_BACKOFF = timedelta(hours=1)
ATTEMPT_MARGIN = timedelta(seconds=10)


@workflow.defn(name="DeliveryWorkflowV2")
class DeliveryWorkflow:
    @workflow.run
    async def run(self, request: DeliveryInput) -> str:
        outcome = AttemptOutcome(status="pending", attempts=0)
        for attempt in range(1, request.max_attempts + 1):
            outcome = await workflow.execute_activity_method(
                DeliveryCalls.attempt_delivery,
                AttemptInput(
                    notification_id=request.notification_id,
                    attempt=attempt,
                    max_attempts=request.max_attempts,
                    timeout_seconds=request.attempt_timeout_seconds,
                    retried_by=request.retried_by if attempt == 1 else None,
                ),
                # The sends are bounded by the attempt's timeout; the reads and writes around them take far less
                # than the margin. A worker lost mid-attempt is noticed then, and the retry records the attempt.
                start_to_close_timeout=timedelta(seconds=request.attempt_timeout_seconds) + ATTEMPT_MARGIN,
                retry_policy=STORE_RETRY,
            )
            if outcome.status != "pending":
                break
            backoff = timedelta(seconds=request.backoff_seconds * 2 ** (attempt - 1))
            await workflow.sleep(min(backoff, MAX_BACKOFF))
        return outcome.status


@workflow.defn(name="DeliveryWorkflow")
class LegacyDeliveryWorkflow:
    @workflow.run
    async def run(self, request: DeliveryInput) -> str:
        prepared = await workflow.execute_activity_method(
            DeliveryCalls.prepare_delivery,
            request.notification_id,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY,
        )
        self._stream = f"notification-{request.notification_id}"
        self._version = prepared.version
        self._directive = prepared.notification.directive_id
        nid = str(request.notification_id)
        if request.retried_by is not None:
            await self._emit([NotificationRetried(notification_id=nid)], request.retried_by)
            await self._record(request, "pending", 0, None)
        limit = timedelta(seconds=request.attempt_timeout_seconds)
        waiting = list(prepared.targets)  # not yet delivered, still worth trying
        refused: list[Target] = []  # refused for good
        error = "no attempt"
        attempt = 0
        for attempt in range(1, request.max_attempts + 1):
            attempted: list[DomainEvent] = []
            failed: list[Target] = []
            for target in waiting:
                outgoing = prepared.outgoing[target.language]
                failure = await self._attempt(Send(target=target, outgoing=outgoing), limit)
                attempted.append(record_of(nid, attempt, target, outgoing.idempotency_key, failure))
                if failure is not None:
                    error = failure[0]  # names the address
                    (refused if failure[1] else failed).append(target)
            waiting = failed
            if not waiting and not refused:
                done = NotificationDelivered(notification_id=nid, targets=len(prepared.targets), attempts=attempt)
                await self._emit([*attempted, done], SYSTEM)
                await self._record(request, "delivered", attempt, None)
                return "delivered"
            await self._emit(attempted, SYSTEM)
            await self._record(request, "pending", attempt, error)
            if not waiting or attempt == request.max_attempts:
                break
            backoff = timedelta(seconds=request.backoff_seconds * 2 ** (attempt - 1))
            await workflow.sleep(min(backoff, MAX_BACKOFF))
        undelivered = tuple(t.label for t in [*refused, *waiting])
        dead = NotificationDeadLettered(
            notification_id=nid, attempts=attempt, undelivered=undelivered, last_error=error
        )
        await self._emit([dead], SYSTEM)
        await self._record(request, "dead", attempt, error)
        return "dead"

    async def _attempt(self, send: Send, limit: timedelta) -> tuple[str, bool] | None:
        """None if the send went through, else (why, whether trying again is pointless)."""
        try:
            await workflow.execute_activity_method(
                DeliveryCalls.deliver_notification,
                send,
                start_to_close_timeout=limit,
                # One send per attempt: the workflow itself waits, backs off and records each attempt.
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        except ActivityError as exc:
            cause = exc.cause
            permanent = isinstance(cause, ApplicationError) and cause.non_retryable
            return (cause.message if isinstance(cause, FailureError) else exc.message), permanent
        return None

    async def _emit(self, payloads: list[DomainEvent], actor: Actor) -> None:
        now = workflow.now()
        events: list[NewEvent[DomainEvent]] = [
            NewEvent(
                event_id=ids.event_id(self._stream, self._version + i),
                payload=payload,
                occurred_at=now,
                actor=actor,
                directive_id=self._directive,
                causation_id=f"delivery:{workflow.info().workflow_id}",
            )
            for i, payload in enumerate(payloads, start=1)
        ]
        # Its appends as they always were: a conflict fails this (legacy) workflow, not just its task.
        await workflow.execute_activity_method(
            StoreCalls.append_events,
            append_input(self._stream, self._version, events),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY,
        )
        self._version += len(payloads)

    async def _record(self, request: DeliveryInput, status: str, attempts: int, error: str | None) -> None:
        await workflow.execute_activity_method(
            DeliveryCalls.record_delivery,
            DeliveryRecord(notification_id=request.notification_id, status=status, attempts=attempts, error=error),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY,
        )


@workflow.defn
class DigestWorkflow:
    """Every officer with open tasks gets one message listing them (nobody with nothing to do gets one)."""

    @workflow.run
    async def run(self, request: DigestInput) -> int:
        day = request.day or local_date(workflow.now())
        return await workflow.execute_activity_method(
            DeliveryCalls.compose_digests,
            DigestInput(day=day),
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=STORE_RETRY,
        )
