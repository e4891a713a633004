"""An officer's open tasks, overdue first (HQ and auditors: everyone's overdue tasks)."""

from __future__ import annotations

from datetime import date

from app.actors import known
from app.ports import ReadModels
from app.scopes import tasks_scope
from app.services import Services
from domain.actors import Actor, Role
from domain.context import AssignmentContext
from domain.tasks import Task, assignment_tasks, context_of, directive_tasks, for_actor
from domain.vocabulary import Recipient


async def open_tasks(read: ReadModels, actor: Actor, today: date, only: str | None = None) -> list[Task]:
    """What ``actor`` must do on ``today`` (read models caught up by the caller), under one directive or all."""
    role, unit = tasks_scope(actor)
    directives = await read.open_directives()
    if only is not None:
        directives = {code: d for code, d in directives.items() if code == only}
    tasks: list[Task] = []
    contexts: dict[tuple[str, str], AssignmentContext] = {}  # the same for every assignment of a commune
    for state in await read.open_assignments(role, unit):
        directive = directives.get(state.directive_id)
        if directive is not None:
            key = (state.directive_id, state.commune_id)
            if key not in contexts:
                contexts[key] = context_of(directive, state.commune_id)
            tasks += assignment_tasks(state, contexts[key], today)
    if actor.role in (Role.POST, Role.HQ, Role.AUDITOR):
        claimed = await read.claimed_cells()
        for code, directive in directives.items():
            tasks += directive_tasks(directive, {cell for d, cell in claimed if d == code}, today)
    return for_actor(tasks, Recipient(role=actor.role, id=actor.id))


async def tasks(s: Services, actor: Actor, directive: str | None = None) -> list[Task]:
    """The ``tasks`` query: ``actor``'s open tasks today (under ``directive``, or all), the read models caught up
    first."""
    await known(s.directory, actor)
    await s.read.catch_up()
    return await open_tasks(s.read, actor, s.today, directive)
