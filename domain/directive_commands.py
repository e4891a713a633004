"""What people ask of a directive: posts nominate, HQ amends and closes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.commands import Command
from domain.context import CellRef
from domain.directive import CellInScope, PostInScope
from domain.policy import DirectivePolicy


class NominationItem(BaseModel):
    """One member for one cell (or household group). ``member_post_id`` and ``on_local_committee`` come from
    the directory: the command gateway looks them up before sending (the workflow cannot read the database).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: str
    member_post_id: str
    on_local_committee: bool = False
    cell_id: str | None = None
    household_ids: tuple[str, ...] = ()
    household_group_id: str | None = None


class Nominate(Command):
    """A post's nomination of one or more members, by one resolution of its party committee."""

    resolution: str = ""
    items: tuple[NominationItem, ...] = Field(min_length=1)


class AmendDirective(Command):
    added_cells: tuple[CellInScope, ...] = ()
    added_posts: tuple[PostInScope, ...] = ()
    added_commune_cells: tuple[CellRef, ...] = ()
    removed_cells: tuple[str, ...] = ()
    policy: DirectivePolicy | None = None
    term_ends_on: date | None = None
    note: str = ""


class CloseDirective(Command):
    reason: str


class NominationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    assignment_ids: tuple[str, ...]
