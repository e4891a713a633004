"""`phancong directory`: the reference data HQ imports."""

from __future__ import annotations

from pathlib import Path

import typer

from directory.importer import ImportResult, import_directory
from events import EventStore
from events.catalog import REGISTRY
from phancong.cli.common import ActorOption, JsonOption, actor_of, database, emit_json, handles_errors, run, state

app = typer.Typer(help="The directory: communes, cells, posts, members, households.", no_args_is_help=True)


@app.command("import")
@handles_errors
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A YAML or JSON directory file."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Load or re-load the directory; the differences are applied and recorded as events (all or nothing)."""
    who = actor_of(actor, roles=("hq",))

    async def go() -> ImportResult:
        async with database(state(ctx)) as pool:
            store = await EventStore.open(pool, REGISTRY)
            return await import_directory(pool, store, file, who, state(ctx).clock.now(), limits=state(ctx).file_limits)

    result = run(go())
    if as_json:
        emit_json(result)
    elif result.unchanged:
        typer.echo(f"{result.source}: no differences; nothing recorded")
    else:
        typer.echo(
            f"{result.source}: {result.added} added, {result.changed} changed, {result.removed} removed "
            f"(directory at version {result.version})"
        )


@app.command("show")
@handles_errors
def show(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """How many communes, cells, posts, members and households the directory holds."""

    async def go() -> dict[str, int]:
        async with database(state(ctx)) as pool:
            rows = await pool.fetch(
                "SELECT kind, count(*) AS n FROM directory_entries WHERE active GROUP BY kind ORDER BY kind"
            )
            return {r["kind"]: r["n"] for r in rows}

    counts = run(go())
    if as_json:
        emit_json(counts)
        return
    for kind in ("commune", "cell", "post", "member", "household"):
        typer.echo(f"{kind + 's':12} {counts.get(kind, 0):>6}")
