"""What an assignment needs to know beyond its own events: the directive's policy and term, the directory."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.policy import DirectivePolicy


class CellRef(BaseModel):
    """A village party cell as the assignment needs it (the directory holds the rest)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = ""
    commune_id: str
    meeting_day: int = Field(ge=1, le=31)


class AssignmentContext(BaseModel):
    """Reference data, fixed when the assignment starts and changed only by a directive amendment.

    ``commune_cells`` lets the commune place the member in another cell of the same commune, checked
    without leaving the workflow.
    """

    model_config = ConfigDict(frozen=True)

    policy: DirectivePolicy = Field(default_factory=DirectivePolicy)
    term_starts_on: date
    term_ends_on: date
    commune_cells: tuple[CellRef, ...]

    def cell(self, cell_id: str) -> CellRef | None:
        return next((c for c in self.commune_cells if c.id == cell_id), None)
