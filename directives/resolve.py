"""Checking a directive file against the directory and resolving its scope into cells, posts, households."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from directives.model import DirectiveFile
from directory.repository import DirectoryRepository
from domain.context import CellRef
from domain.directive import CellInScope, HouseholdInScope, PostInScope, ResolvedDirective
from domain.vocabulary import AssignmentKind
from infra.files import DEFAULT_LIMITS, DocumentError, FileLimits, load


class DirectiveScopeError(DocumentError):
    code = "invalid_directive"


def load_directive(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> DirectiveFile:
    return load(DirectiveFile, path, code="invalid_directive", limits=limits)


async def resolve(
    directive: DirectiveFile, directory: DirectoryRepository, source: str, today: date, *, simulated: bool = False
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
        raise DirectiveScopeError(f"{source}: " + "; ".join(problems))
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
