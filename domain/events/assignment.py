"""Events of an assignment's life: one member in one cell (or one household group) under one directive.

Stream: ``assignment-{assignment_id}``. Every event here is folded by ``domain.assignment.apply``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from domain.event import DomainEvent
from domain.vocabulary import (
    ActivityKind,
    AssignmentKind,
    Attendance,
    AttendanceMode,
    Contribution,
    EndReason,
    Grade,
    PeriodKind,
    Recipient,
    Subject,
)


class MemberNominated(DomainEvent):
    """The post nominated a member (by resolution) for a cell or a household group."""

    type: Literal["MemberNominated"] = "MemberNominated"
    assignment_id: str
    directive_id: str
    kind: AssignmentKind
    member_id: str
    post_id: str
    commune_id: str
    cell_id: str
    household_group_id: str | None = None
    household_ids: tuple[str, ...] = ()
    on_local_committee: bool = False
    resolution: str = Field("", description="The post committee's resolution, e.g. 12-NQ/ĐU.")
    nominated_on: date
    simulated: bool = False


class IntroductionSent(DomainEvent):
    """The introduction letter went to the commune party committee; its answer is due by ``response_due_on``."""

    type: Literal["IntroductionSent"] = "IntroductionSent"
    commune_id: str
    sent_on: date
    response_due_on: date


class ReminderSent(DomainEvent):
    """Someone was reminded that an action is due (``key`` names the scheduled reminder, once)."""

    type: Literal["ReminderSent"] = "ReminderSent"
    key: str
    recipient: Recipient
    subject: Subject
    due_on: date
    reference: str | None = Field(None, description="The meeting month or review period concerned.")


class Escalated(DomainEvent):
    """An action is overdue; HQ is told, with the reminders that went before."""

    type: Literal["Escalated"] = "Escalated"
    key: str
    recipient: Recipient
    subject: Subject
    overdue_since: date
    responsible: Recipient
    reminders: tuple[str, ...] = ()
    reference: str | None = None


class CommuneAccepted(DomainEvent):
    """The commune accepted the member and placed them in a cell of the commune (maybe not the one asked)."""

    type: Literal["CommuneAccepted"] = "CommuneAccepted"
    commune_id: str
    cell_id: str
    accepted_on: date
    join_on: date
    note: str = ""


class CommuneDeclined(DomainEvent):
    type: Literal["CommuneDeclined"] = "CommuneDeclined"
    commune_id: str
    declined_on: date
    reason: str


class CellJoined(DomainEvent):
    """The member began to take part in the cell's life (attending, or as a temporary member)."""

    type: Literal["CellJoined"] = "CellJoined"
    cell_id: str
    joined_on: date
    attendance_mode: AttendanceMode


class HouseholdsTakenInCharge(DomainEvent):
    """The member took charge of the household group."""

    type: Literal["HouseholdsTakenInCharge"] = "HouseholdsTakenInCharge"
    household_group_id: str
    household_ids: tuple[str, ...]
    started_on: date


class MeetingRecorded(DomainEvent):
    """The cell recorded its meeting of a month: the member's attendance and contributions."""

    type: Literal["MeetingRecorded"] = "MeetingRecorded"
    cell_id: str
    month: str = Field(description="YYYY-MM: the scheduled meeting this record answers.")
    meeting_on: date
    attendance: Attendance
    excuse: str | None = None
    contributions: tuple[Contribution, ...] = ()
    note: str = ""


class ActivityLogged(DomainEvent):
    """The member logged an activity: sessions, visits, workdays, support in integer VND, candidates, admissions."""

    type: Literal["ActivityLogged"] = "ActivityLogged"
    activity_on: date
    kind: ActivityKind
    quantity: int = Field(1, ge=0, description="Sessions, visits, workdays, people: what the kind counts.")
    amount_vnd: int = Field(0, ge=0, description="Cash or the value of goods, in đồng.")
    in_kind: str = ""
    household_ids: tuple[str, ...] = ()
    note: str = ""


class ReviewRequested(DomainEvent):
    """A review period closed (or a follow-up fell due): the cell appraises, then the post grades."""

    type: Literal["ReviewRequested"] = "ReviewRequested"
    key: str
    period: str
    period_kind: PeriodKind
    starts_on: date
    ends_on: date
    due_on: date


class AppraisalSubmitted(DomainEvent):
    """The cell's appraisal (nhận xét) of the member for a period."""

    type: Literal["AppraisalSubmitted"] = "AppraisalSubmitted"
    period: str
    cell_id: str
    text: str


class MemberGraded(DomainEvent):
    """The post's grade of the member for a period, with the attendance the period showed."""

    type: Literal["MemberGraded"] = "MemberGraded"
    period: str
    grade: Grade
    attendance_percent: int | None = Field(None, ge=0, le=100)
    note: str = ""


class Commended(DomainEvent):
    """Biểu dương / khen thưởng: for an excellent grade, or by HQ's decision."""

    type: Literal["Commended"] = "Commended"
    period: str | None = None
    reason: str


class CorrectionIssued(DomainEvent):
    """Phê bình, chấn chỉnh: a re-review is due on ``follow_up_on``."""

    type: Literal["CorrectionIssued"] = "CorrectionIssued"
    round: int = Field(ge=1)
    period: str | None = None
    reason: str
    issued_on: date
    follow_up_on: date


class FollowUpReviewed(DomainEvent):
    """The re-review after a correction: passed, or failed (two failures in a row replace the member)."""

    type: Literal["FollowUpReviewed"] = "FollowUpReviewed"
    round: int = Field(ge=1)
    period: str
    passed: bool
    grade: Grade
    attendance_percent: int | None = Field(None, ge=0, le=100)


class AssignmentPaused(DomainEvent):
    """Mission, training or leave: no meeting reminders until resumed."""

    type: Literal["AssignmentPaused"] = "AssignmentPaused"
    reason: str
    paused_on: date
    until: date | None = None


class AssignmentResumed(DomainEvent):
    type: Literal["AssignmentResumed"] = "AssignmentResumed"
    resumed_on: date


class RotationDue(DomainEvent):
    """The rotation period has run; the member hands over until ``handover_until``."""

    type: Literal["RotationDue"] = "RotationDue"
    key: str
    due_on: date
    handover_until: date


class AssignmentEnded(DomainEvent):
    type: Literal["AssignmentEnded"] = "AssignmentEnded"
    reason: EndReason
    ended_on: date
    note: str = ""


ASSIGNMENT_EVENTS: tuple[type[DomainEvent], ...] = (
    MemberNominated,
    IntroductionSent,
    ReminderSent,
    Escalated,
    CommuneAccepted,
    CommuneDeclined,
    CellJoined,
    HouseholdsTakenInCharge,
    MeetingRecorded,
    ActivityLogged,
    ReviewRequested,
    AppraisalSubmitted,
    MemberGraded,
    Commended,
    CorrectionIssued,
    FollowUpReviewed,
    AssignmentPaused,
    AssignmentResumed,
    RotationDue,
    AssignmentEnded,
)

AssignmentEvent = (
    MemberNominated
    | IntroductionSent
    | ReminderSent
    | Escalated
    | CommuneAccepted
    | CommuneDeclined
    | CellJoined
    | HouseholdsTakenInCharge
    | MeetingRecorded
    | ActivityLogged
    | ReviewRequested
    | AppraisalSubmitted
    | MemberGraded
    | Commended
    | CorrectionIssued
    | FollowUpReviewed
    | AssignmentPaused
    | AssignmentResumed
    | RotationDue
    | AssignmentEnded
)
