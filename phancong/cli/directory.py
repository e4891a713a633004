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
def show(
    ctx: typer.Context,
    kind: str | None = typer.Option(
        None, "--kind", help="List entries: posts | communes | cells | members | households (default: counts)."
    ),
    search: str = typer.Option("", "--search", help="Only entries whose id, name or unit holds this text."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """How many communes, cells, posts, members and households the directory holds; with --kind, the entries
    themselves, as the viewer may see them (members for HQ, auditors and their post; households for HQ, auditors,
    their sponsoring post, commune and cell; sensitive tags only where allowed)."""
    viewer = actor_of(actor)

    async def counted() -> dict[str, int]:
        async with services(state(ctx)) as s:
            return await directory.counts(s, viewer)

    async def listed(kind: str) -> list[directory.Found]:
        async with services(state(ctx)) as s:
            return await directory.browse(s, viewer, kind, search)

    if kind is None:
        counts = run(counted())
        if as_json:
            emit_json(dict(sorted(counts.items())))
            return
        for name in ("commune", "cell", "post", "member", "household"):
            typer.echo(f"{name + 's':12} {counts.get(name, 0):>6}")
        return
    found = run(listed(kind))
    if as_json:
        emit_json([f.model_dump(mode="json") for f in found])
        return
    for f in found:
        details = "erased" if f.erased else ", ".join(f.tags)
        typer.echo("  ".join(part for part in (f"{f.id:<16}", f"{f.name:<32}", f.within, details) if part).rstrip())
    if len(found) == directory.MAX_FOUND:
        typer.echo(f"(the first {directory.MAX_FOUND}: narrow with --search)")
