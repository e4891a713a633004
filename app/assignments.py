"""Every action on an assignment (the registry's commands: ``domain.decisions.COMMANDS``), and reading them."""

from __future__ import annotations

from typing import Any

from app.actors import known
from app.services import Services
from domain.assignment import AssignmentState
from domain.bounds import assignment_id, directive_code, entry_id
from domain.commands import Command, CommandResult
from domain.errors import NotFoundError


async def command(s: Services, assignment: str, command: Command) -> CommandResult:
    """Send one of the registry's commands to an assignment, as its actor: refused (with its code) by the
    assignment's own rules before anything is written, or applied and recorded."""
    await known(s.directory, command.actor)
    return await s.assignments.send(assignment_id(assignment), command)


async def show(s: Services, assignment: str) -> AssignmentState:
    """The assignment's current state (the fold of its events)."""
    ident = assignment_id(assignment)
    found = await s.assignments.state(ident)
    if found is None:
        raise NotFoundError(f"assignment {ident} has no events yet")
    return found


async def listed(
    s: Services,
    *,
    directive: str | None = None,
    post: str | None = None,
    commune: str | None = None,
    stage: str | None = None,
) -> list[dict[str, Any]]:
    """Assignments, filtered by directive, post, commune, stage."""
    filters = {
        "directive_id": directive_code(directive) if directive else None,
        "post_id": entry_id(post, "--post") if post else None,
        "commune_id": entry_id(commune, "--commune") if commune else None,
        "stage": stage,
    }
    await s.read.catch_up()
    return await s.read.list_assignments({k: v for k, v in filters.items() if v is not None})
