"""A post's nomination as the directive needs it: each member's post and committee seat from the directory."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from directory.repository import DirectoryRepository
from domain.actors import Actor
from domain.bounds import MAX_HOUSEHOLDS, EntryId
from domain.directive_commands import Nominate, NominationItem
from domain.errors import UnknownReferenceError


class NominationRequest(BaseModel):
    """What the post says: this member, for this cell (or these households)."""

    model_config = ConfigDict(frozen=True)

    member_id: EntryId
    cell_id: EntryId | None = None
    household_ids: tuple[EntryId, ...] = Field((), max_length=MAX_HOUSEHOLDS)
    household_group_id: EntryId | None = None


class UnknownMemberError(UnknownReferenceError):
    code = "not_found"


async def build_nomination(
    directory: DirectoryRepository, actor: Actor, resolution: str, requests: list[NominationRequest]
) -> Nominate:
    members = {m.id: m for m in await directory.members(ids=[r.member_id for r in requests])}
    missing = sorted({r.member_id for r in requests} - members.keys())
    if missing:
        raise UnknownMemberError(f"no member {', '.join(missing)} in the directory")
    return Nominate(
        actor=actor,
        resolution=resolution,
        items=tuple(
            NominationItem(
                member_id=r.member_id,
                member_post_id=members[r.member_id].post,
                on_local_committee=members[r.member_id].on_local_committee,
                cell_id=r.cell_id,
                household_ids=r.household_ids,
                household_group_id=r.household_group_id,
            )
            for r in requests
        ),
    )
