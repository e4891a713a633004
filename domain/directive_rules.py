"""The directive's rules: which nominations it accepts, what an amendment changes, what it does and when."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.actors import Role
from domain.bounds import term_checked
from domain.calendar import local_date, local_time, periods_ending_between
from domain.directive import DirectiveState, ResolvedDirective
from domain.directive_commands import AmendDirective, CloseDirective, Nominate, NominationItem
from domain.errors import (
    AlreadyDoneError,
    ForbiddenError,
    InvalidInputError,
    UnknownReferenceError,
    WrongStateError,
)
from domain.event import DomainEvent
from domain.events.assignment import Escalated, ReminderSent
from domain.events.directive import (
    CoverageGapEscalated,
    DirectiveAmended,
    DirectiveIssued,
    NominationAccepted,
    NominationRequested,
    PeriodSummarized,
    ReplacementRequested,
)
from domain.ids import assignment_id as make_assignment_id
from domain.vocabulary import HQ, AssignmentKind, EndReason, PeriodKind, Recipient, Stage, Subject


class OutOfScopeError(UnknownReferenceError):
    code = "out_of_scope"


class AlreadyAssignedError(AlreadyDoneError):
    code = "already_assigned"


class QuotaError(InvalidInputError):
    code = "quota"


# Why an assignment ended, and whether its cell then needs another member from the post.
NEEDS_REPLACEMENT = frozenset(
    {
        EndReason.DECLINED_BY_COMMUNE,
        EndReason.TRANSFERRED,
        EndReason.DISCHARGED,
        EndReason.DISCIPLINED,
        EndReason.WITHDRAWN,
        EndReason.REPLACED,
        EndReason.REASSIGNED,
    }
)


def issued(d: ResolvedDirective) -> DirectiveIssued:
    """The event that starts a directive's stream: what was resolved and issued."""
    return DirectiveIssued(
        directive_id=d.code,
        title=d.title,
        issuing_body=d.issuing_body,
        issued_on=d.issued_on,
        kind=d.kind,
        term_starts_on=d.term_starts_on,
        term_ends_on=d.term_ends_on,
        policy=d.policy,
        cells=d.cells,
        posts=d.posts,
        households=d.households,
        commune_cells=d.commune_cells,
        simulated=d.simulated,
        content_hash=d.content_hash(),
    )


def _open(state: DirectiveState) -> None:
    if not state.open:
        raise WrongStateError(f"directive {state.directive.code} is closed")


def nomination_requests(state: DirectiveState, posts: list[str], today: date) -> list[NominationRequested]:
    """Ask each of ``posts`` to nominate for its cells in scope, by today + the nomination deadline."""
    due = today + timedelta(days=state.directive.policy.nomination_days)
    requests = []
    for post_id in posts:
        post = state.directive.post(post_id)
        assert post is not None
        cells = tuple(c.id for c in state.directive.cells if c.commune_id in post.commune_ids)
        if cells:
            requests.append(
                NominationRequested(key=f"nomination:{post_id}:{due}", post_id=post_id, cells=cells, due_on=due)
            )
    return requests


def decide_nomination(state: DirectiveState, command: Nominate, today: date) -> list[DomainEvent]:
    """NominationAccepted for each item, or the first rule an item breaks."""
    _open(state)
    directive = state.directive
    actor = command.actor
    post = directive.post(actor.id or "") if actor.role == Role.POST else None
    if post is None:
        raise ForbiddenError(f"nominations for {directive.code} come from a post in its scope, not {actor}")
    events: list[DomainEvent] = []
    taken = {a.assignment_id for a in state.assignments.values()}
    live_cell_of = {a.member_id: a.cell_id for a in state.assignments.values() if a.live}  # one pass, not per item
    in_batch: set[str] = set()
    for item in command.items:
        if item.member_post_id != post.id:
            raise ForbiddenError(f"member {item.member_id} belongs to post {item.member_post_id}, not {post.id}")
        if item.member_id in in_batch or item.member_id in live_cell_of:
            live_cell = live_cell_of.get(item.member_id)
            where = f" (in {live_cell})" if live_cell else ""
            raise AlreadyAssignedError(f"member {item.member_id} is already assigned under {directive.code}{where}")
        in_batch.add(item.member_id)
        commune_id, cell_id, target = _target(state, post.commune_ids, item)
        base = make_assignment_id(directive.code, item.member_id, target)
        assignment_id, n = base, 1
        while assignment_id in taken:
            n += 1
            assignment_id = f"{base}#{n}"
        taken.add(assignment_id)
        replaces = next(
            (
                r.key
                for r in state.replacements.values()
                if r.fulfilled_by is None and r.cell_id == cell_id and r.post_id == post.id
            ),
            None,
        )
        events.append(
            NominationAccepted(
                assignment_id=assignment_id,
                post_id=post.id,
                member_id=item.member_id,
                nominated_on=today,
                on_local_committee=item.on_local_committee,
                commune_id=commune_id,
                cell_id=cell_id,
                household_group_id=target if directive.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP else None,
                household_ids=item.household_ids,
                resolution=command.resolution,
                replaces=replaces,
            )
        )
    return events


def _target(state: DirectiveState, post_communes: tuple[str, ...], item: NominationItem) -> tuple[str, str, str]:
    """(commune, cell, target id) of a nomination item, checked against the scope."""
    directive = state.directive
    if directive.kind == AssignmentKind.CELL_PARTICIPATION:
        cell = directive.cell(item.cell_id or "")
        if cell is None:
            raise OutOfScopeError(f"cell {item.cell_id!r} is not in the scope of {directive.code}")
        if cell.commune_id not in post_communes:
            raise OutOfScopeError(f"cell {cell.id} is in commune {cell.commune_id}, which the post does not cover")
        return cell.commune_id, cell.id, cell.id
    policy = directive.policy
    count = len(set(item.household_ids))
    if not policy.households_min <= count <= policy.households_max:
        raise QuotaError(
            f"a member takes charge of {policy.households_min} to {policy.households_max} households, not {count}"
        )
    in_scope = {h.id: h.cell_id for h in directive.households}
    unknown = [h for h in item.household_ids if h not in in_scope]
    if unknown:
        raise OutOfScopeError(f"households not in the scope of {directive.code}: {', '.join(unknown)}")
    cells = {in_scope[h] for h in item.household_ids}
    if len(cells) != 1:
        raise InvalidInputError("a household group lies in one village: these households are in several")
    cell = directive.cell(cells.pop())
    assert cell is not None
    if cell.commune_id not in post_communes:
        raise OutOfScopeError(f"village cell {cell.id} is in commune {cell.commune_id}, not covered by the post")
    sponsored = {h for a in state.assignments.values() if a.live for h in a.household_ids}
    if taken := sorted(sponsored & set(item.household_ids)):
        raise AlreadyAssignedError(f"households already in a member's charge: {', '.join(taken)}")
    group = item.household_group_id or f"NHOM-{item.member_id}-{sorted(item.household_ids)[0]}"
    return cell.commune_id, cell.id, group


def decide_amendment(state: DirectiveState, command: AmendDirective, today: date) -> list[DomainEvent]:
    _open(state)
    if command.actor.role != Role.HQ:
        raise ForbiddenError(f"amending a directive is for hq, not {command.actor}")
    directive = state.directive
    in_scope = {c.id for c in directive.cells}
    already = [c.id for c in command.added_cells if c.id in in_scope]
    if already:
        raise InvalidInputError(f"already in scope: {', '.join(already)}")
    unknown = [c for c in command.removed_cells if c not in in_scope]
    if unknown:
        raise OutOfScopeError(f"not in scope: {', '.join(unknown)}")
    if command.term_ends_on is not None and command.term_ends_on <= today:
        raise InvalidInputError("the new end of term must be after today")
    if command.term_ends_on is not None:
        try:
            term_checked(directive.term_starts_on, command.term_ends_on)
        except ValueError as refused:
            raise InvalidInputError(f"the new end of term: {refused}") from None
    if not (command.added_cells or command.removed_cells or command.policy or command.term_ends_on):
        raise InvalidInputError("the amendment changes nothing")
    posts = {p.id for p in directive.posts} | {p.id for p in command.added_posts}
    all_posts = [*directive.posts, *command.added_posts]
    for cell in command.added_cells:
        if not any(cell.commune_id in p.commune_ids for p in all_posts):
            raise OutOfScopeError(f"no post in scope covers commune {cell.commune_id} of cell {cell.id}")
    assert posts
    return [
        DirectiveAmended(
            added_cells=command.added_cells,
            removed_cells=command.removed_cells,
            added_posts=command.added_posts,
            added_commune_cells=command.added_commune_cells,
            policy=command.policy,
            term_ends_on=command.term_ends_on,
            note=command.note,
        )
    ]


def check_close(state: DirectiveState, command: CloseDirective) -> None:
    _open(state)
    if command.actor.role != Role.HQ:
        raise ForbiddenError(f"closing a directive is for hq, not {command.actor}")
    if not command.reason.strip():
        raise InvalidInputError("the reason cannot be empty")


# -- what the directive does over time ----------------------------------------------------------------


class DirectiveActionKind(StrEnum):
    REMIND = "remind"
    ESCALATE_COVERAGE = "escalate_coverage"
    ESCALATE = "escalate"
    REQUEST_REPLACEMENT = "request_replacement"
    SUMMARIZE = "summarize"
    CLOSE = "close"


class DirectiveAction(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    due_at: datetime
    kind: DirectiveActionKind
    post_id: str | None = None
    cell_id: str | None = None
    due_on: date | None = None
    reference: str | None = None
    reason: str | None = None
    period_kind: PeriodKind | None = None


def uncovered_cells(state: DirectiveState, post_id: str) -> tuple[str, ...]:
    post = state.directive.post(post_id)
    if post is None:
        return ()
    claimed = state.claimed_cells()
    return tuple(c.id for c in state.directive.cells if c.commune_id in post.commune_ids and c.id not in claimed)


def _communes_with_uncovered_cells(state: DirectiveState) -> set[str]:
    """In one pass over cells and assignments (a national directive has 2,600 of each, and 86 posts)."""
    claimed = state.claimed_cells()
    return {c.commune_id for c in state.directive.cells if c.id not in claimed}


def pending_directive_actions(state: DirectiveState, now: datetime) -> list[DirectiveAction]:
    """Every action of the directive not yet done, in due order (derived from its state alone)."""
    if not state.open:
        return []
    directive = state.directive
    policy = directive.policy
    hour = policy.reminder_hour
    today = local_date(now)
    actions: list[DirectiveAction] = []

    def add(key: str, day: date, kind: DirectiveActionKind, **details: object) -> None:
        if key not in state.done:
            actions.append(
                DirectiveAction.model_validate({"key": key, "due_at": local_time(day, hour), "kind": kind, **details})
            )

    uncovered_communes = _communes_with_uncovered_cells(state)
    posts = {p.id: p for p in directive.posts}
    for post_id, due in state.nomination_due.items():
        post = posts.get(post_id)
        if post is None or uncovered_communes.isdisjoint(post.commune_ids):
            continue
        for days in policy.reminder_days_before:
            day = due - timedelta(days=days)
            if day > directive.issued_on:
                add(
                    f"nomination:{post_id}:{due}:reminder:{days}",
                    day,
                    DirectiveActionKind.REMIND,
                    post_id=post_id,
                    due_on=due,
                )
        add(
            f"nomination:{post_id}:{due}:coverage",
            due + timedelta(days=1),
            DirectiveActionKind.ESCALATE_COVERAGE,
            post_id=post_id,
            due_on=due,
        )
    in_scope = {c.id for c in directive.cells}
    for summary in state.assignments.values():
        wants = (summary.end_reason in NEEDS_REPLACEMENT and summary.stage == Stage.ENDED) or (
            summary.rotation_due_on is not None and summary.live
        )
        if wants and summary.cell_id in in_scope:
            reason = summary.end_reason.value if summary.end_reason and summary.stage == Stage.ENDED else "rotation_due"
            add(
                f"replacement:{summary.assignment_id}",
                today,
                DirectiveActionKind.REQUEST_REPLACEMENT,
                post_id=summary.post_id,
                cell_id=summary.cell_id,
                reference=summary.assignment_id,
                reason=reason,
            )
    for request in state.replacements.values():
        if request.fulfilled_by is not None:
            continue
        for days in policy.reminder_days_before:
            day = request.due_on - timedelta(days=days)
            if day > request.due_on - timedelta(days=policy.nomination_days):
                add(
                    f"{request.key}:reminder:{days}",
                    day,
                    DirectiveActionKind.REMIND,
                    post_id=request.post_id,
                    due_on=request.due_on,
                    cell_id=request.cell_id,
                    reference=request.cell_id,
                )
        add(
            f"{request.key}:escalation",
            request.due_on + timedelta(days=1),
            DirectiveActionKind.ESCALATE,
            post_id=request.post_id,
            due_on=request.due_on,
            cell_id=request.cell_id,
            reference=request.key,
        )
    for period in periods_ending_between(directive.term_starts_on, directive.term_ends_on, policy):
        if period.kind in (PeriodKind.INTERIM, PeriodKind.ANNUAL):
            add(
                f"summary:{period.label}",
                period.ends_on + timedelta(days=1),
                DirectiveActionKind.SUMMARIZE,
                reference=period.label,
                due_on=period.ends_on,
                period_kind=period.kind,
            )
    add("term:end", directive.term_ends_on + timedelta(days=1), DirectiveActionKind.CLOSE)
    return sorted(actions, key=lambda a: (a.due_at, a.key))


def perform_directive(state: DirectiveState, action: DirectiveAction, today: date) -> list[DomainEvent]:
    """The events of a due action (CLOSE is the workflow's: it ends the assignments first)."""
    policy = state.directive.policy
    post = Recipient(role=Role.POST, id=action.post_id) if action.post_id else HQ
    match action.kind:
        case DirectiveActionKind.REMIND:
            assert action.due_on is not None
            subject = Subject.REPLACEMENT if action.cell_id else Subject.NOMINATION
            return [
                ReminderSent(
                    key=action.key,
                    recipient=post,
                    subject=subject,
                    due_on=action.due_on,
                    reference=action.reference or action.post_id,
                )
            ]
        case DirectiveActionKind.ESCALATE_COVERAGE:
            assert action.post_id is not None
            assert action.due_on is not None
            cells = uncovered_cells(state, action.post_id)
            return [
                CoverageGapEscalated(
                    key=action.key, post_id=action.post_id, cells=cells, since=action.due_on + timedelta(days=1)
                )
            ]
        case DirectiveActionKind.ESCALATE:
            assert action.due_on is not None
            reminders = tuple(sorted(k for k in state.done if k.startswith(f"{action.reference}:reminder")))
            return [
                Escalated(
                    key=action.key,
                    recipient=HQ,
                    subject=Subject.REPLACEMENT,
                    overdue_since=action.due_on + timedelta(days=1),
                    responsible=post,
                    reminders=reminders,
                    reference=action.cell_id,
                )
            ]
        case DirectiveActionKind.REQUEST_REPLACEMENT:
            assert action.post_id is not None
            assert action.cell_id is not None
            assert action.reference is not None
            return [
                ReplacementRequested(
                    key=action.key,
                    post_id=action.post_id,
                    cell_id=action.cell_id,
                    reason=action.reason or "",
                    ended_assignment_id=action.reference,
                    due_on=today + timedelta(days=policy.nomination_days),
                )
            ]
        case DirectiveActionKind.SUMMARIZE:
            assert action.reference is not None
            assert action.due_on is not None
            assert action.period_kind is not None
            return [
                PeriodSummarized(
                    key=action.key,
                    period=action.reference,
                    period_kind=action.period_kind,
                    ends_on=action.due_on,
                    figures=figures(state),
                )
            ]
        case DirectiveActionKind.CLOSE:
            raise AssertionError("closing is performed by the workflow")
    raise AssertionError(f"unhandled {action.kind}")


def figures(state: DirectiveState) -> dict[str, int]:
    """The directive's coverage figures now (DOMAIN.md, "What HQ reports")."""
    directive = state.directive
    serving = [a for a in state.assignments.values() if a.serving]
    covered = state.covered_cells()
    priority = [c for c in directive.cells if c.priority]
    communes = set(directive.communes)
    communes_covered = {c.commune_id for c in directive.cells if c.id in covered}
    ended = Counter(a.end_reason.value for a in state.assignments.values() if a.end_reason is not None)
    result = {
        "cells_in_scope": len(directive.cells),
        "cells_covered": len(covered & {c.id for c in directive.cells}),
        "priority_cells": len(priority),
        "priority_cells_covered": sum(1 for c in priority if c.id in covered),
        "communes_in_scope": len(communes),
        "communes_covered": len(communes_covered),
        "members_serving": len({a.member_id for a in serving}),
        "assignments": len(state.assignments),
        "assignments_live": sum(1 for a in state.assignments.values() if a.live),
        "rotations_due": sum(1 for a in state.assignments.values() if a.rotation_due_on is not None),
        "replacements_open": sum(1 for r in state.replacements.values() if r.fulfilled_by is None),
    }
    result.update({f"ended_{reason}": n for reason, n in sorted(ended.items())})
    return result
