"""`phancong tasks`: what an actor has to do, overdue first."""

from __future__ import annotations

import typer

from app.tasks import tasks as open_tasks
from domain.tasks import Task
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state
from wording.tasks import command, what, worded


@handles_errors
def tasks(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Open tasks of the actor given by --as, with due dates, overdue first (HQ: everyone's overdue tasks)."""
    who = actor_of(actor)

    async def go() -> list[Task]:
        async with services(state(ctx)) as s:
            return await open_tasks(s, who)

    found = run(go())
    if as_json:
        emit_json([worded(t) for t in found])
        return
    if not found:
        typer.echo(f"no open task for {who}")
        return
    for task in found:
        flag = "OVERDUE" if task.overdue else "       "
        typer.echo(f"{flag} {task.due_on:%d/%m/%Y}  {what(task)}")
        typer.echo(f"           {command(task)}")
