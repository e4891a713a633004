"""A worker that dies after writing, before reporting: Temporal retries, nothing is lost or doubled."""

from __future__ import annotations

import uuid
from collections import Counter

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.events import EventActivities
from activities.notifications import NotificationActivities
from domain.commands import AcceptAssignment
from events import AppendResult, EventStore
from infra.postgres import Pool
from tests.workflows.driver import COMMUNE, Harness
from workflows.assignment import AssignmentWorkflow
from workflows.calls import AppendEventsInput, ReminderInput


class CrashAfterCommit:
    """Stand-ins for the real activities: each first attempt does the real write, then 'crashes'."""

    def __init__(self, store: EventStore, pool: Pool) -> None:
        self.events = EventActivities(store)
        self.notifications = NotificationActivities(pool)
        self.crashes: Counter[str] = Counter()

    def _crash_on_first_attempt(self, name: str) -> None:
        if activity.info().attempt == 1:
            self.crashes[name] += 1
            raise RuntimeError("worker lost after the write committed")

    @activity.defn(name="append_events")
    async def append_events(self, request: AppendEventsInput) -> AppendResult:
        result = await self.events.append_events(request)
        self._crash_on_first_attempt("append_events")
        return result

    @activity.defn(name="send_reminder")
    async def send_reminder(self, request: ReminderInput) -> bool:
        queued = await self.notifications.send_reminder(request)
        self._crash_on_first_attempt("send_reminder")
        return queued


async def test_retried_writes_after_a_crash_leave_every_event_and_notice_exactly_once(
    env: WorkflowEnvironment, domain_store: EventStore, pool: Pool
) -> None:
    flaky = CrashAfterCommit(domain_store, pool)
    task_queue = f"crash-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[AssignmentWorkflow],
        activities=[flaky.append_events, flaky.send_reminder],
    ):
        harness = Harness(env, domain_store, pool, task_queue)
        a = await harness.start()
        await a.command(AcceptAssignment(actor=COMMUNE))
        await harness.advance(45)

        events = await a.events()
        notices = await pool.fetch(
            "SELECT notice_key, recipient_role FROM notifications WHERE assignment_id = $1", a.assignment_id
        )
        state = await a.assert_fold_matches()

    assert flaky.crashes["append_events"] >= 5
    assert flaky.crashes["send_reminder"] >= 2
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    assert len({e.event_id for e in events}) == len(events)
    assert state.version == len(events)
    keys = [(n["notice_key"], n["recipient_role"]) for n in notices]
    assert len(keys) == len(set(keys))
    reminders = [e for e in events if e.event_type in ("ReminderSent", "Escalated")]
    assert {getattr(e.payload, "key", None) for e in reminders} <= {k for k, _ in keys}
