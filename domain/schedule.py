"""What an assignment has to do next, and when: derived from its state alone.

Every reminder, escalation, review request, rotation and ending is an action with a key; performing it
appends an event carrying that key (or moving the stage), so the fold knows it was done. Nothing about
pending deadlines needs to be remembered anywhere else: a workflow that continues as new, or a reader
that rebuilds the state, finds the same schedule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.actors import Role
from domain.assignment import AssignmentState, ReviewEntry, apply
from domain.calendar import (
    Period,
    add_months,
    local_date,
    local_time,
    meetings_between,
    month_key,
    periods_ending_between,
)
from domain.context import AssignmentContext
from domain.event import DomainEvent
from domain.events.assignment import (
    AssignmentEnded,
    AssignmentResumed,
    CellJoined,
    Escalated,
    HouseholdsTakenInCharge,
    ReminderSent,
    ReviewRequested,
    RotationDue,
)
from domain.vocabulary import HQ, AssignmentKind, EndReason, PeriodKind, Recipient, Stage, Subject


class ActionKind(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"
    JOIN = "join"
    REQUEST_REVIEW = "request_review"
    ROTATION_DUE = "rotation_due"
    ROTATION_END = "rotation_end"
    RESUME = "resume"
    TERM_END = "term_end"


class Action(BaseModel):
    """One scheduled step: due at ``due_at`` (UTC), done once (its ``key`` is then in the state)."""

    model_config = ConfigDict(frozen=True)

    key: str
    due_at: datetime
    kind: ActionKind
    recipient: Recipient | None = None
    responsible: Recipient | None = None
    subject: Subject | None = None
    due_on: date | None = None  # when the reminded action is due
    reference: str | None = None  # the meeting month or review period
    period: Period | None = None  # for review requests
    related: str | None = None  # key prefix of the reminders an escalation follows


class _Planner:
    def __init__(
        self, state: AssignmentState, ctx: AssignmentContext, now: datetime, *, join_at_start_of_day: bool
    ) -> None:
        self.state = state
        self.ctx = ctx
        self.policy = ctx.policy
        self.today = local_date(now)
        self.join_at_start_of_day = join_at_start_of_day
        self.actions: list[Action] = []

    def add(self, key: str, day: date, kind: ActionKind, *, hour: int | None = None, **details: object) -> None:
        """Plan ``key`` for ``day``, at the policy's reminder hour unless ``hour`` is given (Viet Nam time)."""
        if key not in self.state.done:
            due_at = local_time(day, self.policy.reminder_hour if hour is None else hour)
            self.actions.append(Action.model_validate({"key": key, "due_at": due_at, "kind": kind, **details}))

    def plan(self) -> list[Action]:
        state = self.state
        if state.stage == Stage.ENDED:
            return []
        self.add("term:end", self.ctx.term_ends_on + timedelta(days=1), ActionKind.TERM_END)
        if state.stage == Stage.INTRODUCED:
            self.commune_response()
        elif state.stage == Stage.RECEIVED and state.join_on is not None:
            # The member takes part from the start of the joining day: a commune that accepts at 07:00 with
            # today's date has a member the cell can record at its meeting that morning.
            self.add("join", state.join_on, ActionKind.JOIN, hour=0 if self.join_at_start_of_day else None)
        elif state.in_service:
            if state.kind == AssignmentKind.CELL_PARTICIPATION:
                self.meetings()
                if not state.on_local_committee:
                    self.rotation()
            self.reviews()
            if state.stage == Stage.PAUSED and state.pause_until is not None:
                self.add(f"pause:{state.paused_on}:resume", state.pause_until, ActionKind.RESUME)
        return self.actions

    def commune_response(self) -> None:
        state = self.state
        due = state.response_due_on
        if due is None:
            return
        commune = Recipient(role=Role.COMMUNE, id=state.commune_id)
        for days in self.policy.reminder_days_before:
            day = due - timedelta(days=days)
            if day > state.nominated_on:
                self.add(
                    f"commune-response:reminder:{days}",
                    day,
                    ActionKind.REMIND,
                    recipient=commune,
                    subject=Subject.COMMUNE_RESPONSE,
                    due_on=due,
                )
        self.add(
            "commune-response:escalation",
            due + timedelta(days=1),
            ActionKind.ESCALATE,
            recipient=HQ,
            responsible=commune,
            subject=Subject.COMMUNE_RESPONSE,
            due_on=due,
            related="commune-response:reminder:",
        )

    def meetings(self) -> None:
        state, policy = self.state, self.policy
        cell = self.ctx.cell(state.serving_cell_id)
        if cell is None or state.joined_on is None:
            return
        cell_recipient = Recipient(role=Role.CELL, id=cell.id)
        member = Recipient(role=Role.MEMBER, id=state.member_id)
        for meeting in meetings_between(
            state.joined_on, self.ctx.term_ends_on, cell.meeting_day, policy.meeting_interval_months
        ):
            month = month_key(meeting)
            if month in state.meetings:
                continue
            if state.stage == Stage.ACTIVE and meeting >= self.today:
                self.add(
                    f"meeting:{month}:reminder",
                    max(meeting - timedelta(days=policy.meeting_reminder_days_before), state.joined_on),
                    ActionKind.REMIND,
                    recipient=member,
                    subject=Subject.MEETING,
                    due_on=meeting,
                    reference=month,
                )
            record_due = meeting + timedelta(days=policy.meeting_record_days)
            self.add(
                f"meeting:{month}:record-reminder",
                record_due,
                ActionKind.REMIND,
                recipient=cell_recipient,
                subject=Subject.MEETING_RECORD,
                due_on=record_due,
                reference=month,
            )
            self.add(
                f"meeting:{month}:record-escalation",
                meeting + timedelta(days=policy.meeting_record_escalation_days),
                ActionKind.ESCALATE,
                recipient=HQ,
                responsible=cell_recipient,
                subject=Subject.MEETING_RECORD,
                due_on=record_due,
                reference=month,
                related=f"meeting:{month}:record-reminder",
            )

    def reviews(self) -> None:
        state = self.state
        assert state.joined_on is not None
        for period in periods_ending_between(state.joined_on, self.ctx.term_ends_on, self.policy):
            if period.label not in state.reviews:
                starts_on = max(period.starts_on, state.joined_on)
                self.add(
                    f"review:{period.label}:request",
                    period.ends_on + timedelta(days=1),
                    ActionKind.REQUEST_REVIEW,
                    reference=period.label,
                    period=period.model_copy(update={"starts_on": starts_on}),
                )
        correction = state.open_correction
        if correction is not None:
            label = f"follow-up-{correction.round}"
            if label not in state.reviews:
                self.add(
                    f"review:{label}:request",
                    correction.follow_up_on,
                    ActionKind.REQUEST_REVIEW,
                    reference=label,
                    period=Period(
                        label=label,
                        kind=PeriodKind.FOLLOW_UP,
                        starts_on=correction.issued_on,
                        ends_on=correction.follow_up_on,
                    ),
                )
        for review in state.reviews.values():
            if not review.complete:
                self.review_reminders(review)

    def review_reminders(self, review: ReviewEntry) -> None:
        state = self.state
        cell = Recipient(role=Role.CELL, id=state.serving_cell_id)
        post = Recipient(role=Role.POST, id=state.post_id)
        prefix = f"review:{review.period}"
        missing = [(cell, Subject.REVIEW_APPRAISAL, "appraisal")] if review.appraisal is None else []
        missing.append((post, Subject.REVIEW_GRADE, "grade"))
        for recipient, subject, what in missing:
            for days in self.policy.reminder_days_before:
                day = review.due_on - timedelta(days=days)
                if day > review.ends_on:
                    self.add(
                        f"{prefix}:{what}-reminder:{days}",
                        day,
                        ActionKind.REMIND,
                        recipient=recipient,
                        subject=subject,
                        due_on=review.due_on,
                        reference=review.period,
                    )
        responsible, subject, _ = missing[0]
        self.add(
            f"{prefix}:escalation",
            review.due_on + timedelta(days=1),
            ActionKind.ESCALATE,
            recipient=HQ,
            responsible=responsible,
            subject=subject,
            due_on=review.due_on,
            reference=review.period,
            related=f"{prefix}:",
        )

    def rotation(self) -> None:
        state = self.state
        assert state.joined_on is not None
        if state.rotation_due_on is None:
            due = add_months(state.joined_on, self.policy.rotation_months)
            if due <= self.ctx.term_ends_on:
                self.add("rotation:due", due, ActionKind.ROTATION_DUE, due_on=due)
        elif state.handover_until is not None:
            self.add("rotation:end", state.handover_until, ActionKind.ROTATION_END)


def pending_actions(
    state: AssignmentState, ctx: AssignmentContext, now: datetime, *, join_at_start_of_day: bool = True
) -> list[Action]:
    """Every action not yet done, in due order.

    ``join_at_start_of_day=False`` is the schedule of assignment runs recorded before a join took effect at the
    start of its day (it waited for the reminder hour); their replay needs it.
    """
    planner = _Planner(state, ctx, now, join_at_start_of_day=join_at_start_of_day)
    return sorted(planner.plan(), key=lambda a: (a.due_at, a.key))


def next_action(state: AssignmentState, ctx: AssignmentContext, now: datetime) -> Action | None:
    actions = pending_actions(state, ctx, now)
    return actions[0] if actions else None


def perform(state: AssignmentState, ctx: AssignmentContext, action: Action) -> list[DomainEvent]:
    """The events that carry out a due ``action``."""
    policy = ctx.policy
    match action.kind:
        case ActionKind.REMIND:
            assert action.recipient is not None
            assert action.subject is not None
            assert action.due_on is not None
            return [
                ReminderSent(
                    key=action.key,
                    recipient=action.recipient,
                    subject=action.subject,
                    due_on=action.due_on,
                    reference=action.reference,
                )
            ]
        case ActionKind.ESCALATE:
            assert action.recipient is not None
            assert action.responsible is not None
            assert action.subject is not None
            assert action.due_on is not None
            related = action.related or action.key
            return [
                Escalated(
                    key=action.key,
                    recipient=action.recipient,
                    subject=action.subject,
                    overdue_since=action.due_on + timedelta(days=1),
                    responsible=action.responsible,
                    reminders=tuple(sorted(k for k in state.done if k.startswith(related))),
                    reference=action.reference,
                )
            ]
        case ActionKind.JOIN:
            assert state.join_on is not None
            if state.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP:
                return [
                    HouseholdsTakenInCharge(
                        household_group_id=state.household_group_id or state.cell_id,
                        household_ids=state.household_ids,
                        started_on=state.join_on,
                    )
                ]
            return [
                CellJoined(
                    cell_id=state.serving_cell_id, joined_on=state.join_on, attendance_mode=policy.attendance_mode
                )
            ]
        case ActionKind.REQUEST_REVIEW:
            assert action.period is not None
            period = action.period
            return [
                ReviewRequested(
                    key=action.key,
                    period=period.label,
                    period_kind=period.kind,
                    starts_on=period.starts_on,
                    ends_on=period.ends_on,
                    due_on=max(period.ends_on, local_date(action.due_at))
                    + timedelta(days=policy.review_submission_days),
                )
            ]
        case ActionKind.ROTATION_DUE:
            assert action.due_on is not None
            return [
                RotationDue(
                    key=action.key,
                    due_on=action.due_on,
                    handover_until=action.due_on + timedelta(days=policy.rotation_handover_days),
                )
            ]
        case ActionKind.ROTATION_END:
            return [AssignmentEnded(reason=EndReason.ROTATED, ended_on=local_date(action.due_at))]
        case ActionKind.RESUME:
            return [AssignmentResumed(resumed_on=local_date(action.due_at))]
        case ActionKind.TERM_END:
            return [AssignmentEnded(reason=EndReason.TERM_COMPLETED, ended_on=ctx.term_ends_on)]
    raise AssertionError(f"unhandled action {action.kind}")


# A safety bound on actions performed at once (all due after a long outage); the caller comes back for the rest.
MAX_ACTIONS_PER_STEP = 50


def due_events(
    state: AssignmentState, ctx: AssignmentContext, now: datetime, *, join_at_start_of_day: bool = True
) -> tuple[list[DomainEvent], bool]:
    """The events of every action due at ``now``, in order (re-planned after each: one may moot another), and
    whether a regular review period was requested among them (the workflow continues as new at such a boundary)."""
    events: list[DomainEvent] = []
    boundary = False
    for _ in range(MAX_ACTIONS_PER_STEP):
        due = [
            a for a in pending_actions(state, ctx, now, join_at_start_of_day=join_at_start_of_day) if a.due_at <= now
        ]
        if not due:
            break
        action = due[0]
        produced = perform(state, ctx, action)
        for event in produced:
            state = apply(state, event)
        events.extend(produced)
        if action.kind == ActionKind.REQUEST_REVIEW and action.period and action.period.kind != PeriodKind.FOLLOW_UP:
            boundary = True
    return events, boundary
