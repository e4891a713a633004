"""`phancong tasks`: what an actor has to do, overdue first."""

from __future__ import annotations

import typer

from domain.tasks import Task
from phancong.cli.common import (
    ActorOption,
    JsonOption,
    actor_of,
    caught_up,
    database,
    emit_json,
    handles_errors,
    known,
    run,
    state,
)
from phancong.tasks import open_tasks


@handles_errors
def tasks(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Open tasks of the actor given by --as, with due dates, overdue first (HQ: everyone's overdue tasks)."""
    who = actor_of(actor)

    async def go() -> list[Task]:
        async with database(state(ctx)) as pool:
            await known(pool, who)
            await caught_up(pool)
            return await open_tasks(pool, who, state(ctx).today)

    found = run(go())
    if as_json:
        emit_json(found)
        return
    if not found:
        typer.echo(f"no open task for {who}")
        return
    for task in found:
        flag = "OVERDUE" if task.overdue else "       "
        typer.echo(f"{flag} {task.due_on:%d/%m/%Y}  {task.what}")
        typer.echo(f"           {task.command}")
