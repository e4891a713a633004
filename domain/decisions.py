"""Commands in, events out: every rule a command must satisfy, and what it changes (pure functions).

The workflow's Update validators call these to refuse a command before anything is written; its
handlers call them again, under the workflow's lock, to get the events to append.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.actors import Role
from domain.assignment import AssignmentState, attendance_percent
from domain.commands import (
    AcceptAssignment,
    Command,
    Commend,
    Correct,
    DeclineAssignment,
    EndAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    RecordMeeting,
    ResumeAssignment,
    SubmitAppraisal,
    WithdrawMember,
)
from domain.context import AssignmentContext
from domain.errors import (
    AlreadyDoneError,
    DateOutOfRangeError,
    ForbiddenError,
    InvalidInputError,
    UnknownReferenceError,
    WrongStateError,
)
from domain.event import DomainEvent
from domain.events.assignment import (
    ActivityLogged,
    AppraisalSubmitted,
    AssignmentEnded,
    AssignmentPaused,
    AssignmentResumed,
    Commended,
    CommuneAccepted,
    CommuneDeclined,
    CorrectionIssued,
    FollowUpReviewed,
    MeetingRecorded,
    MemberGraded,
)
from domain.vocabulary import POST_END_REASONS, AssignmentKind, Attendance, EndReason, Grade, PeriodKind, Stage


def _require_actor(command: Command, role: Role, ident: str | None, what: str) -> None:
    actor = command.actor
    if actor.role != role or (ident is not None and actor.id != ident):
        expected = f"{role.value}:{ident}" if ident else role.value
        raise ForbiddenError(f"{what} is for {expected}, not {actor}")


def _require_stage(state: AssignmentState, allowed: set[Stage], what: str) -> None:
    if state.stage not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise WrongStateError(f"cannot {what}: the assignment is {state.stage.value} (needs {names})")


def _require_text(value: str, what: str) -> None:
    if not value.strip():
        raise InvalidInputError(f"{what} cannot be empty")


def _require_date(day: date, first: date | None, last: date, what: str) -> None:
    if (first is not None and day < first) or day > last:
        start = first.isoformat() if first else "-"
        raise DateOutOfRangeError(f"{what} {day.isoformat()} is outside {start} .. {last.isoformat()}")


IN_SERVICE = {Stage.ACTIVE, Stage.PAUSED}
NOT_ENDED = {Stage.NOMINATED, Stage.INTRODUCED, Stage.RECEIVED, Stage.ACTIVE, Stage.PAUSED}


def decide(state: AssignmentState, ctx: AssignmentContext, command: Command, today: date) -> list[DomainEvent]:
    """The events ``command`` produces, or CommandRejectedError saying why it cannot."""
    kind = KIND_OF.get(type(command))
    if kind is None:
        raise InvalidInputError(f"{type(command).__name__} is not a command of an assignment")
    return kind.rule(state, ctx, command, today)


def _accept(
    state: AssignmentState, ctx: AssignmentContext, command: AcceptAssignment, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.COMMUNE, state.commune_id, "answering the introduction")
    _require_stage(state, {Stage.INTRODUCED}, "accept")
    cell_id = command.cell_id or state.cell_id
    cell = ctx.cell(cell_id)
    if cell is None or cell.commune_id != state.commune_id:
        raise UnknownReferenceError(f"cell {cell_id!r} is not a cell of commune {state.commune_id}")
    join_on = command.join_on or today
    _require_date(join_on, state.nominated_on, ctx.term_ends_on, "the joining date")
    return [
        CommuneAccepted(
            commune_id=state.commune_id, cell_id=cell_id, accepted_on=today, join_on=join_on, note=command.note
        )
    ]


def _record_meeting(
    state: AssignmentState, ctx: AssignmentContext, command: RecordMeeting, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.CELL, state.serving_cell_id, "a meeting record")
    if state.kind != AssignmentKind.CELL_PARTICIPATION:
        raise WrongStateError("a household sponsorship has no cell meetings to record")
    _require_stage(state, IN_SERVICE, "record a meeting")
    _require_date(command.meeting_on, state.joined_on, today, "the meeting date")
    month = f"{command.meeting_on.year:04d}-{command.meeting_on.month:02d}"
    if month in state.meetings:
        raise AlreadyDoneError(f"the meeting of {month} is already recorded")
    if command.attendance == Attendance.EXCUSED and not (command.excuse or "").strip():
        raise InvalidInputError("an excused absence needs its reason (--excuse)")
    return [
        MeetingRecorded(
            cell_id=state.serving_cell_id,
            month=month,
            meeting_on=command.meeting_on,
            attendance=command.attendance,
            excuse=command.excuse,
            contributions=command.contributions,
            note=command.note,
        )
    ]


def _log_activity(
    state: AssignmentState, ctx: AssignmentContext, command: LogActivity, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.MEMBER, state.member_id, "an activity log")
    _require_stage(state, IN_SERVICE, "log an activity")
    _require_date(command.activity_on, state.joined_on, today, "the activity date")
    unknown = set(command.household_ids) - set(state.household_ids)
    if unknown:
        raise UnknownReferenceError(f"households not in this assignment: {', '.join(sorted(unknown))}")
    return [
        ActivityLogged(
            activity_on=command.activity_on,
            kind=command.kind,
            quantity=command.quantity,
            amount_vnd=command.amount_vnd,
            in_kind=command.in_kind,
            household_ids=command.household_ids,
            note=command.note,
        )
    ]


def _correction(
    state: AssignmentState, ctx: AssignmentContext, reason: str, period: str | None, today: date
) -> CorrectionIssued:
    return CorrectionIssued(
        round=len(state.corrections) + 1,
        period=period,
        reason=reason,
        issued_on=today,
        follow_up_on=today + timedelta(days=ctx.policy.correction_follow_up_days),
    )


def _grade(state: AssignmentState, ctx: AssignmentContext, command: GradeMember, today: date) -> list[DomainEvent]:
    _require_actor(command, Role.POST, state.post_id, "grading a member")
    _require_stage(state, IN_SERVICE, "grade")
    review = state.reviews.get(command.period)
    if review is None:
        raise UnknownReferenceError(f"no review of period {command.period!r} has been requested")
    if review.appraisal is None:
        raise WrongStateError(f"the cell's appraisal for {command.period} comes before the grade")
    if review.grade is not None:
        raise AlreadyDoneError(f"{command.period} was already graded")
    percent = (
        attendance_percent(state, review.starts_on, review.ends_on)
        if state.kind == AssignmentKind.CELL_PARTICIPATION
        else None
    )
    policy = ctx.policy
    low_attendance = percent is not None and percent < policy.attendance_threshold_percent
    events: list[DomainEvent] = [
        MemberGraded(period=command.period, grade=command.grade, attendance_percent=percent, note=command.note)
    ]
    failed = command.grade == Grade.NOT_COMPLETED or low_attendance
    why = (
        "không hoàn thành nhiệm vụ"
        if command.grade == Grade.NOT_COMPLETED
        else f"tỷ lệ tham dự {percent}% dưới {policy.attendance_threshold_percent}%"
    )
    if review.kind == PeriodKind.FOLLOW_UP:
        correction = state.open_correction
        assert correction is not None, "a follow-up review exists only for an open correction"
        events.append(
            FollowUpReviewed(
                round=correction.round,
                period=command.period,
                passed=not failed,
                grade=command.grade,
                attendance_percent=percent,
            )
        )
        if failed and state.failed_follow_ups + 1 >= policy.failed_follow_ups_before_replacement:
            events.append(
                AssignmentEnded(
                    reason=EndReason.REPLACED,
                    ended_on=today,
                    note=f"{state.failed_follow_ups + 1} lần kiểm tra lại liên tiếp không đạt",
                )
            )
        elif failed:
            events.append(_correction(state, ctx, f"kiểm tra lại không đạt: {why}", command.period, today))
        return events
    if failed and state.open_correction is None:
        events.append(_correction(state, ctx, why, command.period, today))
    elif command.grade == Grade.EXCELLENT and not failed:
        events.append(Commended(period=command.period, reason=f"Hoàn thành xuất sắc nhiệm vụ kỳ {command.period}"))
    return events


def _decline(
    state: AssignmentState, ctx: AssignmentContext, command: DeclineAssignment, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.COMMUNE, state.commune_id, "answering the introduction")
    _require_stage(state, {Stage.INTRODUCED}, "decline")
    _require_text(command.reason, "the reason for declining")
    return [CommuneDeclined(commune_id=state.commune_id, declined_on=today, reason=command.reason)]


def _appraise(
    state: AssignmentState, ctx: AssignmentContext, command: SubmitAppraisal, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.CELL, state.serving_cell_id, "the appraisal")
    _require_stage(state, IN_SERVICE, "submit an appraisal")
    _require_text(command.text, "the appraisal")
    review = state.reviews.get(command.period)
    if review is None:
        raise UnknownReferenceError(f"no review of period {command.period!r} has been requested")
    if review.appraisal is not None:
        raise AlreadyDoneError(f"the appraisal for {command.period} was already submitted")
    return [AppraisalSubmitted(period=command.period, cell_id=state.serving_cell_id, text=command.text)]


def _commend(state: AssignmentState, ctx: AssignmentContext, command: Commend, today: date) -> list[DomainEvent]:
    _require_actor(command, Role.HQ, None, "a commendation")
    _require_stage(state, IN_SERVICE, "commend")
    _require_text(command.reason, "the reason")
    return [Commended(reason=command.reason)]


def _correct(state: AssignmentState, ctx: AssignmentContext, command: Correct, today: date) -> list[DomainEvent]:
    _require_actor(command, Role.HQ, None, "a correction")
    _require_stage(state, IN_SERVICE, "correct")
    _require_text(command.reason, "the reason")
    if state.open_correction is not None:
        raise WrongStateError("a correction is already open; its follow-up decides")
    return [_correction(state, ctx, command.reason, None, today)]


def _pause(state: AssignmentState, ctx: AssignmentContext, command: PauseAssignment, today: date) -> list[DomainEvent]:
    _require_actor(command, Role.POST, state.post_id, "pausing")
    _require_stage(state, {Stage.ACTIVE}, "pause")
    _require_text(command.reason, "the reason")
    if command.until is not None:
        _require_date(command.until, today + timedelta(days=1), ctx.term_ends_on, "the end of the pause")
    return [AssignmentPaused(reason=command.reason, paused_on=today, until=command.until)]


def _resume(
    state: AssignmentState, ctx: AssignmentContext, command: ResumeAssignment, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.POST, state.post_id, "resuming")
    _require_stage(state, {Stage.PAUSED}, "resume")
    return [AssignmentResumed(resumed_on=today)]


def _withdraw(
    state: AssignmentState, ctx: AssignmentContext, command: WithdrawMember, today: date
) -> list[DomainEvent]:
    _require_actor(command, Role.POST, state.post_id, "withdrawing a member")
    _require_stage(state, NOT_ENDED, "withdraw")
    if command.reason not in POST_END_REASONS:
        allowed = ", ".join(sorted(POST_END_REASONS))
        raise InvalidInputError(f"a post withdraws a member for one of: {allowed}")
    return [AssignmentEnded(reason=command.reason, ended_on=today, note=command.note)]


def _end(state: AssignmentState, ctx: AssignmentContext, command: EndAssignment, today: date) -> list[DomainEvent]:
    if command.actor.role not in (Role.HQ, Role.SYSTEM):
        raise ForbiddenError(f"ending an assignment is for hq or the directive, not {command.actor}")
    _require_stage(state, NOT_ENDED, "end")
    return [AssignmentEnded(reason=command.reason, ended_on=today, note=command.note)]


_Rule = Callable[[AssignmentState, AssignmentContext, Any, date], list[DomainEvent]]


@dataclass(frozen=True)
class CommandKind:
    """One command people send to an assignment: its model, its rule, and its name (the workflow's Update, the
    API's path). The assignment workflow's Updates, the command gateway and every interface come from this list;
    adding a command is one entry here, its model and its rule."""

    name: str
    model: type[Command]
    rule: _Rule
    summary: str
    by: Role  # who sends it (the rule also checks which post, commune, cell or member)


COMMANDS: tuple[CommandKind, ...] = (
    CommandKind(
        "accept",
        AcceptAssignment,
        _accept,
        "The commune accepts the introduced member (maybe in another cell).",
        Role.COMMUNE,
    ),
    CommandKind(
        "decline",
        DeclineAssignment,
        _decline,
        "The commune declines the introduced member, with a reason.",
        Role.COMMUNE,
    ),
    CommandKind("record_meeting", RecordMeeting, _record_meeting, "The cell records the month's meeting.", Role.CELL),
    CommandKind(
        "log_activity", LogActivity, _log_activity, "The member logs an activity (sessions, VND, visits).", Role.MEMBER
    ),
    CommandKind(
        "submit_appraisal", SubmitAppraisal, _appraise, "The cell submits its appraisal for a period.", Role.CELL
    ),
    CommandKind("grade", GradeMember, _grade, "The post grades its member for a period.", Role.POST),
    CommandKind("commend", Commend, _commend, "HQ commends the member.", Role.HQ),
    CommandKind("correct", Correct, _correct, "HQ corrects the member; a follow-up review falls due.", Role.HQ),
    CommandKind(
        "pause", PauseAssignment, _pause, "The post pauses the assignment (mission, training, leave).", Role.POST
    ),
    CommandKind("resume", ResumeAssignment, _resume, "The post resumes a paused assignment.", Role.POST),
    CommandKind("withdraw", WithdrawMember, _withdraw, "The post withdraws its member, with a reason.", Role.POST),
    CommandKind("end", EndAssignment, _end, "The directive (or HQ) ends the assignment.", Role.HQ),
)
KIND_OF: dict[type[Command], CommandKind] = {kind.model: kind for kind in COMMANDS}
