"""Who must be told what, after each event: the messages the notification outbox delivers."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.actors import Role
from domain.assignment import AssignmentState
from domain.event import DomainEvent
from domain.events.assignment import (
    CorrectionIssued,
    Escalated,
    IntroductionSent,
    ReminderSent,
    ReviewRequested,
    RotationDue,
)
from domain.events.directive import CoverageGapEscalated, NominationRequested, ReplacementRequested
from domain.vocabulary import HQ, Recipient, Subject


class Notice(BaseModel):
    """One message to one recipient; ``key`` makes it unique within its assignment (delivered once)."""

    model_config = ConfigDict(frozen=True)

    key: str
    recipient: Recipient
    subject: Subject
    due_on: date | None = None
    reference: str | None = None
    escalation: bool = False
    responsible: Recipient | None = None
    reminders: tuple[str, ...] = ()


def notices_for(event: DomainEvent, state: AssignmentState) -> list[Notice]:
    """The notices an event of the assignment in ``state`` sends (after the event is applied)."""
    post = Recipient(role=Role.POST, id=state.post_id)
    cell = Recipient(role=Role.CELL, id=state.serving_cell_id)
    match event:
        case IntroductionSent():
            commune = Recipient(role=Role.COMMUNE, id=event.commune_id)
            return [
                Notice(
                    key="introduction", recipient=commune, subject=Subject.INTRODUCTION, due_on=event.response_due_on
                )
            ]
        case ReminderSent() | Escalated():
            return _reminder_notice(event)
        case ReviewRequested():
            return [
                Notice(
                    key=f"{event.key}:cell",
                    recipient=cell,
                    subject=Subject.REVIEW_APPRAISAL,
                    due_on=event.due_on,
                    reference=event.period,
                ),
                Notice(
                    key=f"{event.key}:post",
                    recipient=post,
                    subject=Subject.REVIEW_GRADE,
                    due_on=event.due_on,
                    reference=event.period,
                ),
            ]
        case CorrectionIssued():
            member = Recipient(role=Role.MEMBER, id=state.member_id)
            return [
                Notice(
                    key=f"correction:{event.round}:{r.role.value}",
                    recipient=r,
                    subject=Subject.CORRECTION,
                    due_on=event.follow_up_on,
                    reference=event.period,
                )
                for r in (member, post)
            ]
        case RotationDue():
            return [Notice(key=event.key, recipient=post, subject=Subject.ROTATION, due_on=event.handover_until)]
    return []


def directive_notices(event: DomainEvent) -> list[Notice]:
    """The notices an event of a directive sends."""
    match event:
        case NominationRequested():
            post = Recipient(role=Role.POST, id=event.post_id)
            return [Notice(key=event.key, recipient=post, subject=Subject.NOMINATION, due_on=event.due_on)]
        case ReplacementRequested():
            post = Recipient(role=Role.POST, id=event.post_id)
            return [
                Notice(
                    key=event.key,
                    recipient=post,
                    subject=Subject.REPLACEMENT,
                    due_on=event.due_on,
                    reference=event.cell_id,
                )
            ]
        case CoverageGapEscalated():
            return [
                Notice(
                    key=event.key,
                    recipient=HQ,
                    subject=Subject.COVERAGE,
                    due_on=event.since,
                    reference=", ".join(event.cells),
                    escalation=True,
                    responsible=Recipient(role=Role.POST, id=event.post_id),
                )
            ]
        case ReminderSent() | Escalated():
            return _reminder_notice(event)
    return []


def _reminder_notice(event: ReminderSent | Escalated) -> list[Notice]:
    if isinstance(event, ReminderSent):
        return [
            Notice(
                key=event.key,
                recipient=event.recipient,
                subject=event.subject,
                due_on=event.due_on,
                reference=event.reference,
            )
        ]
    return [
        Notice(
            key=event.key,
            recipient=event.recipient,
            subject=event.subject,
            due_on=event.overdue_since,
            reference=event.reference,
            escalation=True,
            responsible=event.responsible,
            reminders=event.reminders,
        )
    ]
