"""What people ask of a directive: posts nominate, HQ amends and closes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.bounds import (
    MAX_HOUSEHOLDS,
    MAX_NOMINATIONS,
    MAX_SCOPE_ENTRIES,
    BusinessDate,
    EntryId,
    Line,
    RequiredText,
    Text,
)
from domain.commands import Command
from domain.context import CellRef
from domain.directive import CellInScope, PostInScope
from domain.policy import DirectivePolicy


class NominationItem(BaseModel):
    """One member for one cell (or household group). ``member_post_id`` and ``on_local_committee`` come from
    the directory: the command gateway looks them up before sending (the workflow cannot read the database).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: EntryId
    member_post_id: EntryId
    on_local_committee: bool = False
    cell_id: EntryId | None = None
    household_ids: tuple[EntryId, ...] = Field((), max_length=MAX_HOUSEHOLDS)
    household_group_id: EntryId | None = None


class Nominate(Command):
    """A post's nomination of one or more members, by one resolution of its party committee."""

    resolution: Line = ""
    items: tuple[NominationItem, ...] = Field(min_length=1, max_length=MAX_NOMINATIONS)


class AmendDirective(Command):
    added_cells: tuple[CellInScope, ...] = Field((), max_length=MAX_SCOPE_ENTRIES)
    added_posts: tuple[PostInScope, ...] = Field((), max_length=MAX_SCOPE_ENTRIES)
    added_commune_cells: tuple[CellRef, ...] = Field((), max_length=MAX_SCOPE_ENTRIES)
    removed_cells: tuple[EntryId, ...] = Field((), max_length=MAX_SCOPE_ENTRIES)
    policy: DirectivePolicy | None = None
    term_ends_on: BusinessDate | None = None
    note: Text = ""


class CloseDirective(Command):
    reason: RequiredText


class NominationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    assignment_ids: tuple[str, ...]


# The directive workflow's Update of each command a person sends it.
DIRECTIVE_UPDATES: dict[type[Command], str] = {Nominate: "nominate", AmendDirective: "amend", CloseDirective: "close"}
