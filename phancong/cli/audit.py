"""`phancong audit`: what auditors run to prove the record was not altered."""

from __future__ import annotations

import typer

from events import EventStore, IntegrityProblem
from events.catalog import REGISTRY
from phancong.cli.common import JsonOption, database, emit_json, handles_errors, run, state

app = typer.Typer(help="Auditing: verify the integrity of the record.", no_args_is_help=True)


@app.command("verify")
@handles_errors
def verify(
    ctx: typer.Context,
    stream: str | None = typer.Option(None, help="Verify one stream only."),
    as_json: bool = JsonOption,
) -> None:
    """Recompute every hash chain; name the first broken link of each stream and exit 1 if any."""

    async def go() -> list[IntegrityProblem]:
        async with database(state(ctx)) as pool:
            store = await EventStore.open(pool, REGISTRY)
            return await store.verify(stream)

    problems = run(go())
    if as_json:
        emit_json({"ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            typer.echo(f"BROKEN {problem}")
    else:
        typer.echo("every stream's hash chain verifies")
    if problems:
        raise typer.Exit(1)
