"""What the workflows ask of the world: every activity they call, declared here by its name, its one input model
and its result, implemented in ``activities/`` (whose classes subclass these, so their signatures cannot drift).

The workflows call them typed, as Temporal's samples do (``workflow.execute_activity_method(StoreCalls.append_events,
AppendEventsInput(...))``), and import nothing that does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from temporalio import activity

from domain.event import DomainEvent
from domain.events import AnyEvent
from domain.notices import Notice
from events.envelope import AppendResult, NewEvent
from notifications.models import AttemptInput, AttemptOutcome, PreparedDelivery, Send
from workflows.delivery_io import DeliveryRecord, DigestInput
from workflows.directive_io import AmendAssignmentsInput, EndAssignmentsInput, StartAssignmentsInput


class AppendEventsInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str
    expected_version: int
    events: list[NewEvent[AnyEvent]]


def append_input(stream_id: str, expected_version: int, events: Sequence[NewEvent[DomainEvent]]) -> AppendEventsInput:
    """The append of events a workflow built and checked, carried as they are (the converter serializes each by its
    own type)."""
    carried = cast("list[NewEvent[AnyEvent]]", list(events))
    return AppendEventsInput.model_construct(stream_id=stream_id, expected_version=expected_version, events=carried)


class ReminderInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: UUID
    stream_id: str
    directive_id: str | None
    assignment_id: str | None
    notice: Notice
    queued_at: datetime | None = None  # the workflow's time when the notice arose (the database's if absent)


class StoreCalls:
    @activity.defn(name="append_events")
    async def append_events(self, request: AppendEventsInput) -> AppendResult:
        """Append a workflow's events: idempotent by event id, refused on a version conflict."""
        raise NotImplementedError


class NoticeCalls:
    @activity.defn(name="send_reminder")
    async def send_reminder(self, request: ReminderInput) -> bool:
        """Queue one notice in the outbox and start its delivery (once)."""
        raise NotImplementedError


class DirectiveCalls:
    @activity.defn(name="start_assignments")
    async def start_assignments(self, request: StartAssignmentsInput) -> int:
        raise NotImplementedError

    @activity.defn(name="end_assignments")
    async def end_assignments(self, request: EndAssignmentsInput) -> int:
        raise NotImplementedError

    @activity.defn(name="amend_assignments")
    async def amend_assignments(self, request: AmendAssignmentsInput) -> int:
        raise NotImplementedError


class DeliveryCalls:
    @activity.defn(name="attempt_delivery")
    async def attempt_delivery(self, request: AttemptInput) -> AttemptOutcome:
        raise NotImplementedError

    @activity.defn(name="compose_digests")
    async def compose_digests(self, request: DigestInput) -> int:
        raise NotImplementedError

    # The activities of LegacyDeliveryWorkflow (runs started before attempt_delivery).

    @activity.defn(name="prepare_delivery")
    async def prepare_delivery(self, notification_id: UUID) -> PreparedDelivery:
        raise NotImplementedError

    @activity.defn(name="deliver_notification")
    async def deliver_notification(self, send: Send) -> None:
        raise NotImplementedError

    @activity.defn(name="record_delivery")
    async def record_delivery(self, record: DeliveryRecord) -> None:
        raise NotImplementedError
