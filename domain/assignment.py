"""An assignment's state as the fold of its events: one function, used by the workflow and the read side."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from domain.event import DomainEvent
from domain.events.assignment import (
    ActivityLogged,
    AppraisalSubmitted,
    AssignmentEnded,
    AssignmentPaused,
    AssignmentResumed,
    CellJoined,
    Commended,
    CommuneAccepted,
    CommuneDeclined,
    CorrectionIssued,
    Escalated,
    FollowUpReviewed,
    HouseholdsTakenInCharge,
    IntroductionSent,
    MeetingRecorded,
    MemberGraded,
    MemberNominated,
    ReminderSent,
    ReviewRequested,
    RotationDue,
)
from domain.vocabulary import (
    ActivityKind,
    AssignmentKind,
    Attendance,
    AttendanceMode,
    Contribution,
    EndReason,
    Grade,
    PeriodKind,
    Stage,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class MeetingEntry(_Frozen):
    month: str
    meeting_on: date
    attendance: Attendance
    excuse: str | None = None
    contributions: tuple[Contribution, ...] = ()


class ReviewEntry(_Frozen):
    period: str
    kind: PeriodKind
    starts_on: date
    ends_on: date
    due_on: date
    appraisal: str | None = None
    grade: Grade | None = None
    attendance_percent: int | None = None

    @property
    def complete(self) -> bool:
        return self.grade is not None


class Correction(_Frozen):
    round: int
    reason: str
    issued_on: date
    follow_up_on: date
    period: str | None = None
    passed: bool | None = None  # None while the follow-up is pending


class ActivityTotals(_Frozen):
    """What the member logged, summed by kind (the detail stays in the events)."""

    entries: dict[ActivityKind, int] = Field(default_factory=dict)
    quantity: dict[ActivityKind, int] = Field(default_factory=dict)
    amount_vnd: int = 0


class AssignmentState(_Frozen):
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
    simulated: bool = False
    stage: Stage = Stage.NOMINATED
    version: int = 0
    nominated_on: date
    response_due_on: date | None = None
    placed_cell_id: str | None = None
    accepted_on: date | None = None
    join_on: date | None = None
    joined_on: date | None = None
    attendance_mode: AttendanceMode | None = None
    paused_on: date | None = None
    pause_until: date | None = None
    pause_reason: str | None = None
    rotation_due_on: date | None = None
    handover_until: date | None = None
    ended_on: date | None = None
    end_reason: EndReason | None = None
    meetings: dict[str, MeetingEntry] = Field(default_factory=dict)
    activities: ActivityTotals = Field(default_factory=ActivityTotals)
    reviews: dict[str, ReviewEntry] = Field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()
    failed_follow_ups: int = 0
    commendations: int = 0
    done: frozenset[str] = frozenset()

    @field_serializer("done", when_used="json")
    def _sorted_done(self, done: frozenset[str]) -> list[str]:
        return sorted(done)  # the same state, the same JSON (a set's order depends on its history)

    @property
    def stream_id(self) -> str:
        return stream_of(self.assignment_id)

    @property
    def serving_cell_id(self) -> str:
        """The cell the member sits in (or will): the commune's placement, else the nominated cell."""
        return self.placed_cell_id or self.cell_id

    @property
    def open_correction(self) -> Correction | None:
        last = self.corrections[-1] if self.corrections else None
        return last if last is not None and last.passed is None else None

    @property
    def in_service(self) -> bool:
        return self.stage in (Stage.ACTIVE, Stage.PAUSED)


def stream_of(assignment_id: str) -> str:
    return f"assignment-{assignment_id}"


class FoldError(ValueError):
    """Events that cannot follow one another (a bug or a corrupted stream, never user input)."""


def _update(state: AssignmentState, **changes: object) -> AssignmentState:
    return state.model_copy(update={**changes, "version": state.version + 1})


def apply(state: AssignmentState | None, event: DomainEvent) -> AssignmentState:  # noqa: PLR0911, PLR0912 - one arm per event
    """The state after ``event``. Pure: the same events always give the same state."""
    if state is None:
        if not isinstance(event, MemberNominated):
            raise FoldError(f"an assignment starts with MemberNominated, not {event.type}")
        return AssignmentState(
            assignment_id=event.assignment_id,
            directive_id=event.directive_id,
            kind=event.kind,
            member_id=event.member_id,
            post_id=event.post_id,
            commune_id=event.commune_id,
            cell_id=event.cell_id,
            household_group_id=event.household_group_id,
            household_ids=event.household_ids,
            on_local_committee=event.on_local_committee,
            simulated=event.simulated,
            nominated_on=event.nominated_on,
            version=1,
        )
    match event:
        case IntroductionSent():
            return _update(state, stage=Stage.INTRODUCED, response_due_on=event.response_due_on)
        case ReminderSent() | Escalated():
            return _update(state, done=state.done | {event.key})
        case CommuneAccepted():
            return _update(
                state,
                stage=Stage.RECEIVED,
                placed_cell_id=event.cell_id,
                accepted_on=event.accepted_on,
                join_on=event.join_on,
            )
        case CommuneDeclined():
            return _update(
                state, stage=Stage.ENDED, ended_on=event.declined_on, end_reason=EndReason.DECLINED_BY_COMMUNE
            )
        case CellJoined():
            return _update(state, stage=Stage.ACTIVE, joined_on=event.joined_on, attendance_mode=event.attendance_mode)
        case HouseholdsTakenInCharge():
            return _update(state, stage=Stage.ACTIVE, joined_on=event.started_on, household_ids=event.household_ids)
        case MeetingRecorded():
            entry = MeetingEntry(
                month=event.month,
                meeting_on=event.meeting_on,
                attendance=event.attendance,
                excuse=event.excuse,
                contributions=event.contributions,
            )
            return _update(state, meetings={**state.meetings, event.month: entry})
        case ActivityLogged():
            totals = state.activities
            kind = event.kind
            return _update(
                state,
                activities=ActivityTotals(
                    entries={**totals.entries, kind: totals.entries.get(kind, 0) + 1},
                    quantity={**totals.quantity, kind: totals.quantity.get(kind, 0) + event.quantity},
                    amount_vnd=totals.amount_vnd + event.amount_vnd,
                ),
            )
        case ReviewRequested():
            review = ReviewEntry(
                period=event.period,
                kind=event.period_kind,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                due_on=event.due_on,
            )
            return _update(state, reviews={**state.reviews, event.period: review}, done=state.done | {event.key})
        case AppraisalSubmitted():
            review = _review(state, event.period).model_copy(update={"appraisal": event.text})
            return _update(state, reviews={**state.reviews, event.period: review})
        case MemberGraded():
            review = _review(state, event.period).model_copy(
                update={"grade": event.grade, "attendance_percent": event.attendance_percent}
            )
            return _update(state, reviews={**state.reviews, event.period: review})
        case Commended():
            return _update(state, commendations=state.commendations + 1)
        case CorrectionIssued():
            correction = Correction(
                round=event.round,
                reason=event.reason,
                issued_on=event.issued_on,
                follow_up_on=event.follow_up_on,
                period=event.period,
            )
            return _update(state, corrections=(*state.corrections, correction))
        case FollowUpReviewed():
            open_ = state.open_correction
            if open_ is None or open_.round != event.round:
                raise FoldError(f"follow-up of round {event.round} without that correction open")
            closed = open_.model_copy(update={"passed": event.passed})
            return _update(
                state,
                corrections=(*state.corrections[:-1], closed),
                failed_follow_ups=0 if event.passed else state.failed_follow_ups + 1,
            )
        case AssignmentPaused():
            return _update(
                state, stage=Stage.PAUSED, paused_on=event.paused_on, pause_until=event.until, pause_reason=event.reason
            )
        case AssignmentResumed():
            return _update(state, stage=Stage.ACTIVE, paused_on=None, pause_until=None, pause_reason=None)
        case RotationDue():
            return _update(
                state, rotation_due_on=event.due_on, handover_until=event.handover_until, done=state.done | {event.key}
            )
        case AssignmentEnded():
            return _update(state, stage=Stage.ENDED, ended_on=event.ended_on, end_reason=event.reason)
        case MemberNominated():
            raise FoldError("an assignment is nominated once")
    raise FoldError(f"{event.type} is not an assignment event")


def _review(state: AssignmentState, period: str) -> ReviewEntry:
    try:
        return state.reviews[period]
    except KeyError:
        raise FoldError(f"no review was requested for period {period}") from None


def fold(events: Iterable[DomainEvent]) -> AssignmentState | None:
    """The state after all ``events`` (in stream order); None for no events."""
    state: AssignmentState | None = None
    for event in events:
        state = apply(state, event)
    return state


def attendance_percent(state: AssignmentState, first: date, last: date) -> int | None:
    """Share of meetings in [first, last] the member attended; excused absences do not count against them.

    None when no meeting in the period was recorded with the member expected (present or absent).
    """
    expected = [
        m for m in state.meetings.values() if first <= m.meeting_on <= last and m.attendance != Attendance.EXCUSED
    ]
    if not expected:
        return None
    present = sum(1 for m in expected if m.attendance == Attendance.PRESENT)
    return present * 100 // len(expected)
