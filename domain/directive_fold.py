"""A directive's state as the fold of its own events, plus what its assignments report."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.assignment import AssignmentState, FoldError
from domain.directive import AssignmentSummary, DirectiveState, ReplacementRequest, ResolvedDirective
from domain.event import DomainEvent
from domain.events.assignment import Escalated, ReminderSent
from domain.events.directive import (
    CoverageGapEscalated,
    DirectiveAmended,
    DirectiveClosed,
    DirectiveIssued,
    NominationAccepted,
    NominationRequested,
    PeriodSummarized,
    RecordBroughtIn,
    ReplacementRequested,
)
from domain.vocabulary import EndReason, Stage


class AssignmentChanged(BaseModel):
    """An assignment's report to its directive (a signal): its stage now, and why it ended or rotates."""

    model_config = ConfigDict(frozen=True)

    assignment_id: str
    stage: Stage
    cell_id: str
    end_reason: EndReason | None = None
    rotation_due_on: date | None = None


def _next(state: DirectiveState, **changes: object) -> DirectiveState:
    return state.model_copy(update={**changes, "version": state.version + 1})


def apply_directive(state: DirectiveState | None, event: DomainEvent) -> DirectiveState:
    if state is None:
        if not isinstance(event, DirectiveIssued):
            raise FoldError(f"a directive starts with DirectiveIssued, not {event.type}")
        directive = ResolvedDirective(
            code=event.directive_id,
            title=event.title,
            issuing_body=event.issuing_body,
            issued_on=event.issued_on,
            kind=event.kind,
            term_starts_on=event.term_starts_on,
            term_ends_on=event.term_ends_on,
            policy=event.policy,
            cells=event.cells,
            posts=event.posts,
            households=event.households,
            commune_cells=event.commune_cells,
            simulated=event.simulated,
        )
        return DirectiveState(directive=directive, version=1)
    match event:
        case NominationRequested():
            return _next(
                state,
                nomination_due={**state.nomination_due, event.post_id: event.due_on},
                done=state.done | {event.key},
            )
        case NominationAccepted():
            summary = AssignmentSummary(
                assignment_id=event.assignment_id,
                member_id=event.member_id,
                post_id=event.post_id,
                commune_id=event.commune_id,
                cell_id=event.cell_id,
                nominated_on=event.nominated_on,
                on_local_committee=event.on_local_committee,
                household_group_id=event.household_group_id,
                household_ids=event.household_ids,
                resolution=event.resolution,
                replaces=event.replaces,
            )
            replacements = dict(state.replacements)
            if event.replaces in replacements:
                replacements[event.replaces] = replacements[event.replaces].model_copy(
                    update={"fulfilled_by": event.assignment_id}
                )
            return _next(
                state, assignments={**state.assignments, event.assignment_id: summary}, replacements=replacements
            )
        case ReplacementRequested():
            request = ReplacementRequest(
                key=event.key,
                post_id=event.post_id,
                cell_id=event.cell_id,
                reason=event.reason,
                ended_assignment_id=event.ended_assignment_id,
                due_on=event.due_on,
            )
            return _next(state, replacements={**state.replacements, event.key: request}, done=state.done | {event.key})
        case CoverageGapEscalated() | ReminderSent() | Escalated() | PeriodSummarized():
            return _next(state, done=state.done | {event.key})
        case DirectiveAmended():
            d = state.directive
            removed = set(event.removed_cells)
            known_posts = {p.id for p in d.posts}
            known_commune_cells = {c.id for c in d.commune_cells}
            directive = d.model_copy(
                update={
                    "cells": tuple(c for c in d.cells if c.id not in removed) + event.added_cells,
                    "posts": d.posts + tuple(p for p in event.added_posts if p.id not in known_posts),
                    "commune_cells": d.commune_cells
                    + tuple(c for c in event.added_commune_cells if c.id not in known_commune_cells),
                    "policy": event.policy or d.policy,
                    "term_ends_on": event.term_ends_on or d.term_ends_on,
                }
            )
            return _next(state, directive=directive)
        case DirectiveClosed():
            return _next(state, closed_on=event.closed_on)
        case RecordBroughtIn():
            return _next(state)
        case DirectiveIssued():
            raise FoldError("a directive is issued once")
    raise FoldError(f"{event.type} is not a directive event")


def fold_directive(events: Iterable[DomainEvent]) -> DirectiveState | None:
    state: DirectiveState | None = None
    for event in events:
        state = apply_directive(state, event)
    return state


def report(state: DirectiveState, change: AssignmentChanged) -> DirectiveState:
    """What an assignment's report changes (not an event of the directive: the assignment's stream has it)."""
    summary = state.assignments.get(change.assignment_id)
    if summary is None:
        return state
    updated = summary.model_copy(
        update={
            "stage": change.stage,
            "cell_id": change.cell_id,
            "end_reason": change.end_reason,
            "rotation_due_on": change.rotation_due_on or summary.rotation_due_on,
            "started": True,
        }
    )
    return state.model_copy(update={"assignments": {**state.assignments, change.assignment_id: updated}})


def mark_started(state: DirectiveState, assignment_ids: Iterable[str]) -> DirectiveState:
    assignments = dict(state.assignments)
    for assignment_id in assignment_ids:
        assignments[assignment_id] = assignments[assignment_id].model_copy(update={"started": True})
    return state.model_copy(update={"assignments": assignments})


def with_reports(state: DirectiveState, assignments: Iterable[AssignmentState]) -> DirectiveState:
    """The directive's state with its assignments' stages taken from their own states (the read side's way to
    learn what the workflow learns from signals)."""
    for assignment in assignments:
        if assignment.directive_id == state.directive.code:
            state = report(
                state,
                AssignmentChanged(
                    assignment_id=assignment.assignment_id,
                    stage=assignment.stage,
                    cell_id=assignment.serving_cell_id,
                    end_reason=assignment.end_reason,
                    rotation_due_on=assignment.rotation_due_on,
                ),
            )
    return state
