"""`phancong directory`: the reference data HQ imports."""

from __future__ import annotations

from pathlib import Path

import typer

from app import directory
from app.directory import ImportResult
from directory.importer import load_directory
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state

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
    who = actor_of(actor)
    cli = state(ctx)
    entries, digest = load_directory(file, cli.file_limits)

    async def go() -> ImportResult:
        async with services(cli) as s:
            return await directory.import_directory(s, who, entries, digest, file.name)

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
def show(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """How many communes, cells, posts, members and households the directory holds."""
    viewer = actor_of(actor)

    async def go() -> dict[str, int]:
        async with services(state(ctx)) as s:
            return await directory.counts(s, viewer)

    counts = run(go())
    if as_json:
        emit_json(dict(sorted(counts.items())))
        return
    for kind in ("commune", "cell", "post", "member", "household"):
        typer.echo(f"{kind + 's':12} {counts.get(kind, 0):>6}")
