"""Open tasks: what each officer has to do now or soon, derived from assignment and directive states."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from domain.actors import Role
from domain.assignment import AssignmentState
from domain.calendar import meetings_between, month_key
from domain.context import AssignmentContext
from domain.directive import DirectiveState
from domain.vocabulary import AssignmentKind, Recipient, Stage


class Task(BaseModel):
    """One thing one actor must do, by ``due_on``: facts only (``wording.tasks`` says it, in the reader's
    language, and names the command that does it)."""

    model_config = ConfigDict(frozen=True)

    actor: Recipient
    kind: str  # commune_response | meeting_record | meeting | appraisal | grade | nomination | replacement
    due_on: date
    overdue: bool
    directive_id: str
    assignment_id: str | None = None
    reference: str | None = None  # the meeting's month, the review's period, the cell(s) to nominate for
    member_id: str | None = None
    cell_id: str | None = None
    meeting_on: date | None = None
    cells: tuple[str, ...] = ()  # the cells a nomination is asked for
    reason: str | None = None  # why a replacement is asked


def _task(actor: Recipient, kind: str, due: date, today: date, **fields: object) -> Task:
    return Task.model_validate({"actor": actor, "kind": kind, "due_on": due, "overdue": due < today, **fields})


def assignment_tasks(state: AssignmentState, ctx: AssignmentContext, today: date) -> list[Task]:
    """The open tasks of one assignment, for whoever must act."""
    aid = state.assignment_id
    base = {"directive_id": state.directive_id, "assignment_id": aid}
    tasks: list[Task] = []
    if state.stage == Stage.INTRODUCED and state.response_due_on is not None:
        commune = Recipient(role=Role.COMMUNE, id=state.commune_id)
        tasks.append(
            _task(
                commune,
                "commune_response",
                state.response_due_on,
                today,
                member_id=state.member_id,
                cell_id=state.cell_id,
                **base,
            )
        )
    if not state.in_service or state.joined_on is None:
        return tasks
    cell = Recipient(role=Role.CELL, id=state.serving_cell_id)
    post = Recipient(role=Role.POST, id=state.post_id)
    serving = ctx.cell(state.serving_cell_id)
    if state.kind == AssignmentKind.CELL_PARTICIPATION and serving is not None:
        policy = ctx.policy
        last = min(ctx.term_ends_on, today + timedelta(days=31))
        for meeting in meetings_between(state.joined_on, last, serving.meeting_day, policy.meeting_interval_months):
            month = month_key(meeting)
            if month in state.meetings:
                continue
            if meeting <= today:
                tasks.append(
                    _task(
                        cell,
                        "meeting_record",
                        meeting + timedelta(days=policy.meeting_record_days),
                        today,
                        reference=month,
                        member_id=state.member_id,
                        meeting_on=meeting,
                        **base,
                    )
                )
            elif state.stage == Stage.ACTIVE:
                member = Recipient(role=Role.MEMBER, id=state.member_id)
                tasks.append(
                    _task(
                        member,
                        "meeting",
                        meeting,
                        today,
                        reference=month,
                        cell_id=state.serving_cell_id,
                        meeting_on=meeting,
                        **base,
                    )
                )
                break
    for review in state.reviews.values():
        if review.appraisal is None:
            tasks.append(
                _task(
                    cell,
                    "appraisal",
                    review.due_on,
                    today,
                    reference=review.period,
                    member_id=state.member_id,
                    **base,
                )
            )
        elif review.grade is None:
            tasks.append(
                _task(
                    post,
                    "grade",
                    review.due_on,
                    today,
                    reference=review.period,
                    member_id=state.member_id,
                    **base,
                )
            )
    return tasks


def directive_tasks(state: DirectiveState, claimed_cells: set[str], today: date) -> list[Task]:
    """Nominations and replacements the directive waits for, from each post."""
    code = state.directive.code
    tasks: list[Task] = []
    if not state.open:
        return tasks
    for post_id, due in state.nomination_due.items():
        post = state.directive.post(post_id)
        if post is None:
            continue
        missing = [
            c.id for c in state.directive.cells if c.commune_id in post.commune_ids and c.id not in claimed_cells
        ]
        if missing:
            actor = Recipient(role=Role.POST, id=post_id)
            tasks.append(
                _task(
                    actor,
                    "nomination",
                    due,
                    today,
                    directive_id=code,
                    reference=",".join(missing),
                    cells=tuple(missing),
                )
            )
    for request in state.replacements.values():
        if request.fulfilled_by is None:
            actor = Recipient(role=Role.POST, id=request.post_id)
            tasks.append(
                _task(
                    actor,
                    "replacement",
                    request.due_on,
                    today,
                    directive_id=code,
                    reference=request.cell_id,
                    cell_id=request.cell_id,
                    reason=request.reason,
                )
            )
    return tasks


def context_of(directive: DirectiveState, commune_id: str) -> AssignmentContext:
    d = directive.directive
    return AssignmentContext(
        policy=d.policy,
        term_starts_on=d.term_starts_on,
        term_ends_on=d.term_ends_on,
        commune_cells=d.cells_of_commune(commune_id),
    )


def for_actor(tasks: list[Task], actor: Recipient) -> list[Task]:
    """``actor``'s own tasks; HQ and auditors see everyone's overdue ones."""
    if actor.role in (Role.HQ, Role.AUDITOR):
        mine = [t for t in tasks if t.overdue or t.actor.role == Role.HQ]
    else:
        mine = [t for t in tasks if t.actor == actor]
    return sorted(mine, key=lambda t: (not t.overdue, t.due_on, t.kind, t.assignment_id or ""))
