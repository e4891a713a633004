"""Directives: HQ issues, amends and closes them; posts nominate members under them; anyone reads their status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.actors import known
from app.history import facts_of
from app.ports import DirectiveAnswer, Directory
from app.reports import CATEGORY_ORDER
from app.scopes import EVERYTHING, Subject, assignment_filter, check_history, require_role
from app.services import Services
from directives.model import DirectiveFile
from domain.actors import Actor, Role
from domain.bounds import MAX_HOUSEHOLDS, EntryId, directive_code
from domain.context import CellRef
from domain.directive import CellInScope, DirectiveState, HouseholdInScope, PostInScope, ResolvedDirective
from domain.directive_commands import AmendDirective, CloseDirective, Nominate, NominationItem
from domain.directive_fold import with_reports
from domain.directive_rules import figures
from domain.errors import ForbiddenError, NotFoundError, PhancongError, UnknownReferenceError, WrongStateError
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind


class InvalidDirectiveError(PhancongError):
    code = "invalid_directive"


class UnknownMemberError(UnknownReferenceError):
    code = "not_found"


class Issued(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    outcome: str  # issued | already_issued
    cells: int
    posts: int


class NominationRequest(BaseModel):
    """What the post says: this member, for this cell (or these households)."""

    model_config = ConfigDict(frozen=True)

    member_id: EntryId
    cell_id: EntryId | None = None
    household_ids: tuple[EntryId, ...] = Field((), max_length=MAX_HOUSEHOLDS)
    household_group_id: EntryId | None = None


class Nominated(BaseModel):
    """The assignments a nomination started, and those whose introduction letter is already recorded."""

    model_config = ConfigDict(frozen=True)

    answer: Any
    introduced: frozenset[str]


async def issue(s: Services, actor: Actor, directive: DirectiveFile, source: str) -> Issued:
    """HQ issues a directive: its scope resolved against the directory, then started ("issued" once its first
    event is stored; issuing the same directive again changes nothing)."""
    require_role(actor, Role.HQ)
    resolved = await resolve(directive, s.directory, source, s.today)
    outcome = await s.directives.issue(resolved, actor)
    return Issued(directive_id=resolved.code, outcome=outcome, cells=len(resolved.cells), posts=len(resolved.posts))


async def nominate(
    s: Services,
    actor: Actor,
    code: str,
    resolution: str,
    requests: Sequence[NominationRequest],
    *,
    command_id: UUID | None = None,
) -> Nominated:
    """A post nominates members of its own for cells (or household groups) under a directive (``command_id``: the
    same nomination sent again is applied once)."""
    require_role(actor, Role.POST)
    await known(s.directory, actor)
    command = await nomination(s.directory, actor, resolution, list(requests))
    if command_id is not None:
        command = command.model_copy(update={"command_id": command_id})
    answer = await s.directives.send(directive_code(code, "--directive"), command)
    return Nominated(answer=answer, introduced=frozenset(await s.directives.introduced(answer.assignment_ids)))


async def nomination(
    directory: Directory, actor: Actor, resolution: str, requests: list[NominationRequest]
) -> Nominate:
    """The post's nomination as the directive needs it: each member's post and committee seat from the directory."""
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


async def amend(
    s: Services,
    actor: Actor,
    code: str,
    *,
    add_cells: Sequence[str] = (),
    remove_cells: Sequence[str] = (),
    term_ends_on: date | None = None,
    policy: DirectivePolicy | None = None,
    note: str = "",
    command_id: UUID | None = None,
) -> DirectiveAnswer:
    """HQ amends a running directive: its scope (cells of the directory in, cells out), policy, end of term."""
    require_role(actor, Role.HQ)
    cells = await s.directory.cells(ids=list(add_cells)) if add_cells else []
    missing = sorted(set(add_cells) - {c.id for c in cells})
    if missing:
        raise NotFoundError(f"no cell {', '.join(missing)} in the directory")
    communes = sorted({c.commune for c in cells})
    posts = [p for p in await s.directory.posts() if set(p.communes) & set(communes)]
    commune_cells = await s.directory.cells(communes=communes) if communes else []
    command = AmendDirective(
        actor=actor,
        added_cells=tuple(
            CellInScope(
                id=c.id, name=c.name, commune_id=c.commune, meeting_day=c.meeting_day, categories=tuple(c.categories)
            )
            for c in cells
        ),
        added_posts=tuple(PostInScope(id=p.id, name=p.name, commune_ids=p.communes) for p in posts),
        added_commune_cells=tuple(
            CellRef(id=c.id, name=c.name, commune_id=c.commune, meeting_day=c.meeting_day) for c in commune_cells
        ),
        removed_cells=tuple(remove_cells),
        policy=policy,
        term_ends_on=term_ends_on,
        note=note,
    )
    if command_id is not None:
        command = command.model_copy(update={"command_id": command_id})
    return await s.directives.send(directive_code(code), command)


async def close(
    s: Services, actor: Actor, code: str, reason: str, *, command_id: UUID | None = None
) -> DirectiveAnswer:
    """HQ closes a directive now; its open assignments end as term_completed."""
    require_role(actor, Role.HQ)
    command = CloseDirective(actor=actor, reason=reason)
    if command_id is not None:
        command = command.model_copy(update={"command_id": command_id})
    return await s.directives.send(directive_code(code), command)


async def status(s: Services, viewer: Actor, code: str) -> dict[str, Any]:
    """A directive's coverage, nominations and open requests (its live state while it runs): for HQ, auditors and
    the posts in it."""
    code = directive_code(code)
    await known(s.directory, viewer)
    await s.read.catch_up()
    check_history(viewer, Subject.DIRECTIVE, code, await facts_of(s, Subject.DIRECTIVE, code))
    record = await s.read.directive_record(code)
    if record is None:
        raise NotFoundError(f"no directive {code!r}")
    recorded, assignments = record
    live = await s.directives.state(code)
    current: DirectiveState = live or with_reports(recorded, assignments)  # closed: its assignments tell stages
    return {
        "directive_id": code,
        "title": current.directive.title,
        "status": "open" if current.open else "closed",
        "term": [current.directive.term_starts_on.isoformat(), current.directive.term_ends_on.isoformat()],
        "figures": figures(current),
        "uncovered_cells": sorted(c.id for c in current.directive.cells if c.id not in current.covered_cells()),
        "cells_by_category": by_category(current),
        "open_replacements": [
            r.model_dump(mode="json") for r in current.replacements.values() if r.fulfilled_by is None
        ],
    }


async def listed(s: Services, viewer: Actor) -> list[dict[str, Any]]:
    """The directives ``viewer`` takes part in (HQ and auditors: every one), newest first: a post's are those
    naming it; a commune's, cell's or member's those with one of its assignments."""
    await known(s.directory, viewer)
    await s.read.catch_up()
    every = await s.read.list_directives()
    if viewer.role in EVERYTHING:
        return every
    if viewer.role == Role.POST:
        return [d for d in every if viewer.id in (await s.read.directive_posts(d["directive_id"]) or set())]
    mine = {a["directive_id"] for a in await s.read.list_assignments(assignment_filter(viewer))}
    return [d for d in every if d["directive_id"] in mine]


async def resolve(
    directive: DirectiveFile, directory: Directory, source: str, today: date, *, simulated: bool = False
) -> ResolvedDirective:
    """Every cell, post and household of the directive's scope, as the directory knows them now; a directive
    without an issue date is issued ``today``, its term starting then unless it says otherwise."""
    scope = directive.scope
    problems: list[str] = []
    issued_on = directive.issued_on or today
    try:
        term_starts_on, term_ends_on = directive.term.dates(issued_on)
    except ValueError as exc:
        problems.append(f"term: {exc}")
        term_starts_on = term_ends_on = issued_on
    communes = {c.id for c in await directory.communes()}
    if scope.communes == "all":
        in_communes = sorted(communes)
    else:
        in_communes = list(scope.communes)
        problems += [f"scope.communes: unknown commune {c!r}" for c in in_communes if c not in communes]
    cells = {c.id: c for c in await directory.cells()}
    chosen = [
        c
        for c in cells.values()
        if c.commune in in_communes and (not scope.categories or set(scope.categories) & set(c.categories))
    ]
    for cell_id in scope.cells:
        if cell_id not in cells:
            problems.append(f"scope.cells: unknown cell {cell_id!r}")
        elif cells[cell_id] not in chosen:
            chosen.append(cells[cell_id])
    posts = {p.id: p for p in await directory.posts()}
    touched = {c.commune for c in chosen}
    if scope.posts == "all":
        chosen_posts = [p for p in posts.values() if touched & set(p.communes)]
    else:
        problems += [f"scope.posts: unknown post {p!r}" for p in scope.posts if p not in posts]
        chosen_posts = [posts[p] for p in scope.posts if p in posts]
    covered = {c for p in chosen_posts for c in p.communes}
    problems += [
        f"scope: cell {c.id} (commune {c.commune}) is covered by no post in scope"
        for c in chosen
        if c.commune not in covered
    ]
    households: list[HouseholdInScope] = []
    if directive.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP:
        in_cells = {c.id for c in chosen}
        if scope.households == "all":
            found = await directory.households(cells=sorted(in_cells))
        else:
            found = await directory.households(ids=list(scope.households))
            known = {h.id for h in found}
            problems += [f"scope.households: unknown household {h!r}" for h in scope.households if h not in known]
        for household in found:
            if household.cell not in in_cells:
                problems.append(f"scope.households: {household.id} is in cell {household.cell}, outside the scope")
            households.append(HouseholdInScope(id=household.id, cell_id=household.cell))
    if not chosen and not problems:
        problems.append("scope: no cell matches")
    if problems:
        raise InvalidDirectiveError(f"{source}: " + "; ".join(problems))
    commune_cells = tuple(
        CellRef(id=c.id, name=c.name, commune_id=c.commune, meeting_day=c.meeting_day)
        for c in sorted(cells.values(), key=lambda c: c.id)
        if c.commune in touched
    )
    return ResolvedDirective(
        code=directive.code,
        title=directive.title,
        issuing_body=directive.issuing_body,
        issued_on=issued_on,
        kind=directive.kind,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        policy=directive.policy,
        cells=tuple(
            CellInScope(
                id=c.id, name=c.name, commune_id=c.commune, meeting_day=c.meeting_day, categories=tuple(c.categories)
            )
            for c in sorted(chosen, key=lambda c: c.id)
        ),
        posts=tuple(
            PostInScope(id=p.id, name=p.name, commune_ids=p.communes) for p in sorted(chosen_posts, key=lambda p: p.id)
        ),
        households=tuple(sorted(households, key=lambda h: h.id)),
        commune_cells=commune_cells,
        simulated=simulated,
    )


class Choice(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    taken: bool = False  # a cell someone already serves under the directive


class NominationChoices(BaseModel):
    """What a post may nominate under a directive: its own members, and the directive's cells in its communes."""

    model_config = ConfigDict(frozen=True)

    directive_id: str
    kind: AssignmentKind
    members: list[Choice]
    cells: list[Choice]


async def nomination_choices(s: Services, actor: Actor, code: str) -> NominationChoices:
    """The pickers of a post's nomination form: only its members, only the directive's cells in its communes."""
    require_role(actor, Role.POST)
    await known(s.directory, actor)
    code = directive_code(code)
    posts = await s.read.directive_posts(code)
    if posts is None:
        raise NotFoundError(f"no directive {code!r}")
    if actor.id not in posts:
        raise ForbiddenError(f"{actor} takes no part in directive {code}")
    state = await s.directives.state(code)
    post = None if state is None else state.directive.post(actor.id or "")
    if state is None or not state.open or post is None:
        raise WrongStateError(f"directive {code} has ended; nominations are closed")
    claimed = {cell for directive, cell in await s.read.claimed_cells() if directive == code}
    return NominationChoices(
        directive_id=code,
        kind=state.directive.kind,
        members=[Choice(id=m.id, name=m.name) for m in sorted(await s.directory.members(post=actor.id), key=_id)],
        cells=[
            Choice(id=c.id, name=c.name, taken=c.id in claimed)
            for c in state.directive.cells
            if c.commune_id in post.commune_ids
        ],
    )


def _id(entry: Any) -> str:
    return str(entry.id)


async def preview(s: Services, actor: Actor, directive: DirectiveFile, source: str) -> ResolvedDirective:
    """What issuing ``directive`` would start, as the directory stands now (HQ looks before it confirms)."""
    require_role(actor, Role.HQ)
    return await resolve(directive, s.directory, source, s.today)


def by_category(state: DirectiveState) -> dict[str, tuple[int, int]]:
    """(covered, in scope) of the directive's cells by category (a cell without one counts as ``none``), in the
    report's order."""
    covered = state.covered_cells()
    found: dict[str, list[int]] = {}
    for cell in state.directive.cells:
        for category in [str(c) for c in cell.categories] or ["none"]:
            counts = found.setdefault(category, [0, 0])
            counts[0] += cell.id in covered
            counts[1] += 1
    return {c: (found[c][0], found[c][1]) for c in CATEGORY_ORDER if c in found}
