"""The directive file (YAML or JSON) HQ writes: who, where, for how long, by which rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from directory.model import CellCategory
from domain.bounds import (
    MAX_HOUSEHOLDS,
    MAX_SCOPE_ENTRIES,
    MAX_TERM_MONTHS,
    BusinessDate,
    DirectiveCode,
    EntryId,
    Name,
    PeriodLabel,
    Quantity,
    Text,
    Title,
    Vnd,
    term_checked,
)
from domain.calendar import add_months
from domain.policy import DirectivePolicy
from domain.vocabulary import ActivityKind, AssignmentKind, Attendance, EndReason, Grade

_MANY = Field(max_length=MAX_SCOPE_ENTRIES)


class ScopeSpec(BaseModel):
    """Where the directive applies: the cells of some communes (maybe of some categories only), plus
    cells named one by one; the posts that nominate (default: every post covering those communes); for
    household sponsorship, the households (named, or all of the cells in scope)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    communes: Annotated[list[EntryId], _MANY] | Literal["all"] = Field(default_factory=list)
    categories: list[CellCategory] = Field(default_factory=list, max_length=len(CellCategory))
    cells: Annotated[list[EntryId], _MANY] = Field(default_factory=list)
    posts: Annotated[list[EntryId], _MANY] | Literal["all"] = "all"
    households: Annotated[list[EntryId], _MANY] | Literal["all"] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_place(self) -> Self:
        if not self.communes and not self.cells:
            raise ValueError("a scope needs communes or cells")
        return self


class TermSpec(BaseModel):
    """When the directive applies: from ``start`` (default: the day it is issued) to ``end``, or for ``months``
    (a directive "có hiệu lực kể từ ngày ký" names no date of its own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: BusinessDate | None = None
    end: BusinessDate | None = None
    months: int | None = Field(None, ge=1, le=MAX_TERM_MONTHS)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (self.end is None) == (self.months is None):
            raise ValueError("give the term's end or its length in months (one of them)")
        if self.start is not None and self.end is not None:
            term_checked(self.start, self.end)
        return self

    def dates(self, issued_on: date) -> tuple[date, date]:
        """(first day, last day) of the term of a directive issued on ``issued_on``."""
        start = self.start or issued_on
        end = self.end or add_months(start, self.months or 0) - timedelta(days=1)
        return term_checked(start, end)


class DirectiveFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: DirectiveCode = Field(description="e.g. 1625-NQ/ĐUBP")
    title: Title
    issuing_body: Name
    issued_on: BusinessDate | None = Field(None, description="Default: the day it is issued in phancong.")
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


RECORD_KINDS = ("assignment", "meeting", "activity", "grade", "commendation", "correction")
MAX_RECORDS = 100_000


class PastRecord(BaseModel):
    """One row of a past directive's record, as a province keeps it in its own spreadsheet (``directive bring-in``):
    an assignment (a member in a cell, or in charge of households, from ``date`` to ``end_date``), or a meeting,
    activity, grade, commendation or correction of a member's assignment on its business date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: int = Field(ge=1, description="The row in the file (for messages).")
    record: Literal["assignment", "meeting", "activity", "grade", "commendation", "correction"]
    member: EntryId
    date: BusinessDate
    cell: EntryId | None = None
    households: tuple[EntryId, ...] = Field((), max_length=MAX_HOUSEHOLDS)
    end_date: BusinessDate | None = None
    end_reason: EndReason | None = None
    kind: ActivityKind | None = None
    quantity: Quantity = 1
    amount_vnd: Vnd = 0
    attendance: Attendance | None = None
    grade: Grade | None = None
    period: PeriodLabel | None = None
    text: Text = ""

    @model_validator(mode="after")
    def _fields_of_the_record(self) -> Self:
        needed = {"meeting": "attendance", "activity": "kind", "grade": "grade"}.get(self.record)
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"a {self.record} row needs its {needed}")
        if self.record == "grade" and self.period is None:
            raise ValueError("a grade row needs its period (e.g. 2019 or 2019-Q2)")
        if self.record in ("commendation", "correction") and not self.text.strip():
            raise ValueError(f"a {self.record} row needs its reason in text")
        if self.record == "assignment" and not (self.cell or self.households):
            raise ValueError("an assignment row names its cell, or its households")
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError(f"end_date {self.end_date} is before date {self.date}")
        return self
