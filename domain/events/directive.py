"""Events of a directive (stream ``directive-{code}``): HQ's decisions and the process's own."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from domain.context import CellRef
from domain.directive import CellInScope, HouseholdInScope, PostInScope
from domain.event import DomainEvent
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind, PeriodKind


class DirectiveIssued(DomainEvent):
    """HQ issued the directive: its term, its policy and every cell, post and household in scope."""

    type: Literal["DirectiveIssued"] = "DirectiveIssued"
    directive_id: str
    title: str
    issuing_body: str
    issued_on: date
    kind: AssignmentKind
    term_starts_on: date
    term_ends_on: date
    policy: DirectivePolicy
    cells: tuple[CellInScope, ...]
    posts: tuple[PostInScope, ...]
    households: tuple[HouseholdInScope, ...] = ()
    commune_cells: tuple[CellRef, ...] = ()
    simulated: bool = False
    content_hash: str


class NominationRequested(DomainEvent):
    """A post is asked to nominate members for the cells of its communes in scope, by ``due_on``."""

    type: Literal["NominationRequested"] = "NominationRequested"
    key: str
    post_id: str
    cells: tuple[str, ...]
    due_on: date


class NominationAccepted(DomainEvent):
    """A post's nomination passed the directive's rules; the assignment workflow starts with it."""

    type: Literal["NominationAccepted"] = "NominationAccepted"
    assignment_id: str
    post_id: str
    member_id: str
    nominated_on: date
    on_local_committee: bool = False
    commune_id: str
    cell_id: str
    household_group_id: str | None = None
    household_ids: tuple[str, ...] = ()
    resolution: str = ""
    replaces: str | None = Field(None, description="The replacement request this nomination answers.")


class ReplacementRequested(DomainEvent):
    """An assignment ended early or its rotation fell due: the post nominates a replacement by ``due_on``."""

    type: Literal["ReplacementRequested"] = "ReplacementRequested"
    key: str
    post_id: str
    cell_id: str
    reason: str
    ended_assignment_id: str
    due_on: date


class CoverageGapEscalated(DomainEvent):
    """Past the nomination deadline, cells of a post's communes still have nobody: HQ is told which."""

    type: Literal["CoverageGapEscalated"] = "CoverageGapEscalated"
    key: str
    post_id: str
    cells: tuple[str, ...]
    since: date


class PeriodSummarized(DomainEvent):
    """Sơ kết (interim) or tổng kết (annual): the directive's figures at the end of a period."""

    type: Literal["PeriodSummarized"] = "PeriodSummarized"
    key: str
    period: str
    period_kind: PeriodKind
    ends_on: date
    figures: dict[str, int]


class DirectiveAmended(DomainEvent):
    type: Literal["DirectiveAmended"] = "DirectiveAmended"
    added_cells: tuple[CellInScope, ...] = ()
    removed_cells: tuple[str, ...] = ()
    added_posts: tuple[PostInScope, ...] = ()
    added_commune_cells: tuple[CellRef, ...] = ()
    policy: DirectivePolicy | None = None
    term_ends_on: date | None = None
    note: str = ""


class DirectiveClosed(DomainEvent):
    type: Literal["DirectiveClosed"] = "DirectiveClosed"
    closed_on: date
    reason: str
    ended_assignments: int


class RecordBroughtIn(DomainEvent):
    """A past directive's record was brought in from a province's own file (its business dates in the past, its
    recording now): every event of it carries the causation ``brought-in:<the file's SHA-256, first 16>``."""

    type: Literal["RecordBroughtIn"] = "RecordBroughtIn"
    source: str
    source_sha256: str
    assignments: int
    meetings: int
    activities: int
    grades: int
    commendations: int
    corrections: int


DIRECTIVE_EVENTS: tuple[type[DomainEvent], ...] = (
    DirectiveIssued,
    RecordBroughtIn,
    NominationRequested,
    NominationAccepted,
    ReplacementRequested,
    CoverageGapEscalated,
    PeriodSummarized,
    DirectiveAmended,
    DirectiveClosed,
)

DirectiveEvent = (
    DirectiveIssued
    | NominationRequested
    | NominationAccepted
    | ReplacementRequested
    | CoverageGapEscalated
    | PeriodSummarized
    | DirectiveAmended
    | DirectiveClosed
    | RecordBroughtIn
)
