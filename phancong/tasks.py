"""Reading an actor's open tasks from the read models."""

from __future__ import annotations

from datetime import date

from domain.actors import Actor, Role
from domain.assignment import AssignmentState
from domain.directive import DirectiveState
from domain.tasks import Task, assignment_tasks, context_of, directive_tasks, for_actor
from domain.vocabulary import Recipient
from infra.postgres import Pool

_FILTER = {
    Role.COMMUNE: "commune_id = $1",
    Role.CELL: "cell_id = $1",
    Role.POST: "post_id = $1",
    Role.MEMBER: "member_id = $1",
}


async def open_tasks(pool: Pool, actor: Actor, today: date) -> list[Task]:
    """What ``actor`` must do, overdue first (HQ and auditors: everything overdue, everywhere)."""
    where = _FILTER.get(actor.role)
    args: tuple[object, ...] = (actor.id,) if where else ()
    rows = await pool.fetch(
        f"SELECT state FROM rm_assignments WHERE stage <> 'ended' {'AND ' + where if where else ''}", *args
    )
    directives = {
        r["directive_id"]: DirectiveState.model_validate_json(r["state"])
        for r in await pool.fetch("SELECT directive_id, state FROM rm_directives WHERE status = 'open'")
    }
    tasks: list[Task] = []
    for row in rows:
        state = AssignmentState.model_validate_json(row["state"])
        directive = directives.get(state.directive_id)
        if directive is not None:
            tasks += assignment_tasks(state, context_of(directive, state.commune_id), today)
    if actor.role in (Role.POST, Role.HQ, Role.AUDITOR):
        claimed = {
            (r["directive_id"], r["cell_id"])
            for r in await pool.fetch("SELECT directive_id, cell_id FROM rm_assignments WHERE stage <> 'ended'")
        }
        for code, directive in directives.items():
            tasks += directive_tasks(directive, {cell for d, cell in claimed if d == code}, today)
    return for_actor(tasks, Recipient(role=actor.role, id=actor.id))
