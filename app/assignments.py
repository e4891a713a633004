"""Every action on an assignment (the registry's commands: ``domain.decisions.COMMANDS``), and reading them."""

from __future__ import annotations

from typing import Any

from app.actors import known
from app.history import facts_of
from app.scopes import Subject, assignment_filter, check_history, may_read_history
from app.services import Services
from domain.actors import Actor, Role
from domain.assignment import AssignmentState
from domain.bounds import assignment_id, directive_code, entry_id
from domain.commands import Command, CommandResult
from domain.errors import ForbiddenError, NotAllowedError, NotFoundError

MAX_PAGE = 500


async def command(s: Services, assignment: str, command: Command) -> CommandResult:
    """Send one of the registry's commands to an assignment, as its actor: refused (with its code) by the
    assignment's own rules before anything is written, or applied and recorded.

    Someone with no part in the assignment (another post, commune, cell or member; an auditor, who reads) is
    refused before the assignment is asked anything, so that its stage is not told to them either."""
    actor = await known(s.directory, command.actor)
    ident = assignment_id(assignment)
    if actor.role == Role.AUDITOR:
        raise ForbiddenError("auditors read the record; they do not act on assignments")
    if actor.role != Role.HQ:
        facts = await facts_of(s, Subject.ASSIGNMENT, ident)
        if facts is None or not may_read_history(actor, facts):
            # Only when the read model may be behind (a new assignment, a placement just made): catch it up
            # then, not on every command.
            await s.read.catch_up()
            facts = await facts_of(s, Subject.ASSIGNMENT, ident)
        if facts is None:
            raise NotFoundError(f"no assignment {ident}")
        if not may_read_history(actor, facts):
            raise ForbiddenError(f"{actor} has no part in assignment {ident}")
    return await s.assignments.send(ident, command)


async def show(s: Services, viewer: Actor, assignment: str) -> AssignmentState:
    """The assignment's current state (the fold of its events), for whoever may read its history."""
    ident = assignment_id(assignment)
    await known(s.directory, viewer)
    await s.read.catch_up()
    check_history(viewer, Subject.ASSIGNMENT, ident, await facts_of(s, Subject.ASSIGNMENT, ident))
    found = await s.assignments.state(ident)
    if found is None:
        raise NotFoundError(f"assignment {ident} has no events yet")
    return found


async def listed(
    s: Services,
    viewer: Actor,
    *,
    directive: str | None = None,
    post: str | None = None,
    commune: str | None = None,
    stage: str | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Assignments ``viewer`` may see, filtered by directive, post, commune, stage; by id, ``limit`` of them after
    the id ``after`` (every one when no limit)."""
    await known(s.directory, viewer)
    filters = {
        "directive_id": directive_code(directive) if directive else None,
        "post_id": entry_id(post, "--post") if post else None,
        "commune_id": entry_id(commune, "--commune") if commune else None,
        "stage": stage,
    }
    for column, mine in assignment_filter(viewer).items():
        if filters.get(column) not in (None, mine):
            raise NotAllowedError(f"{viewer} lists its own assignments, not another {viewer.role.value}'s")
        filters[column] = mine
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise NotAllowedError(f"a page holds 1 to {MAX_PAGE} assignments")
    await s.read.catch_up()
    chosen = {k: v for k, v in filters.items() if v is not None}
    return await s.read.list_assignments(chosen, after=after, limit=limit)
