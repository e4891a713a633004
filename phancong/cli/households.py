"""`phancong household`: what HQ does to one household's data beyond the directory file."""

from __future__ import annotations

import typer

from app import directory
from app.directory import Erasure
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state

app = typer.Typer(help="A household's sensitive data: erase it.", no_args_is_help=True)


@app.command("erase")
@handles_errors
def erase(
    ctx: typer.Context,
    household: str = typer.Argument(..., help="The household's id in the directory."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the erasure's event)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a household's head, denomination and sensitive tags by destroying its data key (HQ): every event that
    held them stays, still verifies, and reads "erased" from now on. It cannot be undone."""
    who = actor_of(actor)

    async def go() -> Erasure:
        async with services(state(ctx)) as s:
            return await directory.erase_household(s, who, household, reason)

    erased = run(go())
    if as_json:
        emit_json(erased)
        return
    typer.echo(
        f"household {erased.household_id} erased: its data key is destroyed (event at position {erased.position})"
    )
