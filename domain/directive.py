"""A directive as resolved against the directory, and the shape of its state.

The state is the fold of the directive's own events (``domain.directive_fold``) and of what its assignments
report: each AssignmentWorkflow signals its directive when its stage changes.
"""

from __future__ import annotations

import hashlib
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from domain.canonical import canonical_json
from domain.context import CellRef
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind, EndReason, Stage

# Cells the programme must cover first (DOMAIN.md: the share of priority cells covered, goal 100%).
PRIORITY_CATEGORIES = frozenset({"bordering", "complex_security", "weak", "zero_member_village"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CellInScope(_Frozen):
    id: str
    name: str = ""
    commune_id: str
    meeting_day: int
    categories: tuple[str, ...] = ()

    @property
    def priority(self) -> bool:
        return bool(PRIORITY_CATEGORIES & set(self.categories))

    def ref(self) -> CellRef:
        return CellRef(id=self.id, name=self.name, commune_id=self.commune_id, meeting_day=self.meeting_day)


class PostInScope(_Frozen):
    id: str
    name: str = ""
    commune_ids: tuple[str, ...]


class HouseholdInScope(_Frozen):
    id: str
    cell_id: str


class ResolvedDirective(_Frozen):
    """A directive file checked against the directory: every cell, post and household it concerns."""

    code: str
    title: str
    issuing_body: str
    issued_on: date
    kind: AssignmentKind
    term_starts_on: date
    term_ends_on: date
    policy: DirectivePolicy = Field(default_factory=DirectivePolicy)
    cells: tuple[CellInScope, ...] = ()
    posts: tuple[PostInScope, ...] = ()
    households: tuple[HouseholdInScope, ...] = ()
    # Every cell of the communes in scope: a commune may place a member in any cell of its own.
    commune_cells: tuple[CellRef, ...] = ()
    simulated: bool = False

    def content_hash(self) -> str:
        """Fingerprint of what was issued: issuing the same file again is recognised as the same directive."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode("utf-8")).hexdigest()

    def cell(self, cell_id: str) -> CellInScope | None:
        return next((c for c in self.cells if c.id == cell_id), None)

    def post(self, post_id: str) -> PostInScope | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def cells_of_commune(self, commune_id: str) -> tuple[CellRef, ...]:
        return tuple(c for c in self.commune_cells if c.commune_id == commune_id)

    @property
    def communes(self) -> list[str]:
        return sorted({c.commune_id for c in self.cells})


class AssignmentSummary(_Frozen):
    """What the directive knows of one of its assignments."""

    assignment_id: str
    member_id: str
    post_id: str
    commune_id: str
    cell_id: str
    nominated_on: date
    on_local_committee: bool = False
    household_group_id: str | None = None
    household_ids: tuple[str, ...] = ()
    resolution: str = ""
    stage: Stage = Stage.NOMINATED
    started: bool = False
    end_reason: EndReason | None = None
    rotation_due_on: date | None = None
    replaces: str | None = None

    @property
    def live(self) -> bool:
        return self.stage != Stage.ENDED

    @property
    def serving(self) -> bool:
        return self.stage in (Stage.ACTIVE, Stage.PAUSED)


class ReplacementRequest(_Frozen):
    key: str
    post_id: str
    cell_id: str
    reason: str
    ended_assignment_id: str
    due_on: date
    fulfilled_by: str | None = None


class DirectiveState(_Frozen):
    directive: ResolvedDirective
    version: int = 0
    closed_on: date | None = None
    nomination_due: dict[str, date] = Field(default_factory=dict)  # post -> nomination deadline
    assignments: dict[str, AssignmentSummary] = Field(default_factory=dict)
    replacements: dict[str, ReplacementRequest] = Field(default_factory=dict)
    done: frozenset[str] = frozenset()

    @field_serializer("done", when_used="json")
    def _sorted_done(self, done: frozenset[str]) -> list[str]:
        return sorted(done)  # the same state, the same JSON (a set's order depends on its history)

    @property
    def stream_id(self) -> str:
        return directive_stream(self.directive.code)

    @property
    def open(self) -> bool:
        return self.closed_on is None

    def live_assignment_of(self, member_id: str) -> AssignmentSummary | None:
        return next((a for a in self.assignments.values() if a.member_id == member_id and a.live), None)

    def covered_cells(self) -> set[str]:
        """Cells with a member serving (active or paused) in them."""
        return {a.cell_id for a in self.assignments.values() if a.serving}

    def claimed_cells(self) -> set[str]:
        """Cells with any live assignment (nominated, introduced, received, serving)."""
        return {a.cell_id for a in self.assignments.values() if a.live}

    def unstarted(self) -> list[AssignmentSummary]:
        return [a for a in self.assignments.values() if not a.started and a.live]


def directive_stream(code: str) -> str:
    return f"directive-{code}"
