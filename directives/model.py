"""The directive file (YAML or JSON) HQ writes: who, where, for how long, by which rules."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from directory.model import CellCategory
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind


class ScopeSpec(BaseModel):
    """Where the directive applies: the cells of some communes (maybe of some categories only), plus
    cells named one by one; the posts that nominate (default: every post covering those communes); for
    household sponsorship, the households (named, or all of the cells in scope)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    communes: list[str] | Literal["all"] = Field(default_factory=list)
    categories: list[CellCategory] = Field(default_factory=list)
    cells: list[str] = Field(default_factory=list)
    posts: list[str] | Literal["all"] = "all"
    households: list[str] | Literal["all"] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_place(self) -> Self:
        if not self.communes and not self.cells:
            raise ValueError("a scope needs communes or cells")
        return self


class TermSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("the term must end after it starts")
        return self


class DirectiveFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, max_length=60, pattern=r"^[^\s:|]+$", description="e.g. 1625-NQ/ĐUBP")
    title: str = Field(min_length=1)
    issuing_body: str = Field(min_length=1)
    issued_on: date
    kind: AssignmentKind
    scope: ScopeSpec
    term: TermSpec
    policy: DirectivePolicy = Field(default_factory=DirectivePolicy)

    @model_validator(mode="after")
    def _households_for_sponsorship(self) -> Self:
        if self.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP and not self.scope.households:
            raise ValueError("a household sponsorship names its households in scope.households (or 'all')")
        if self.kind == AssignmentKind.CELL_PARTICIPATION and self.scope.households:
            raise ValueError("scope.households is for household sponsorship only")
        return self
