"""`phancong db`: the database's URL and schema."""

from __future__ import annotations

from pathlib import Path

import typer

import migrations
from infra.masking import masked
from infra.payload_keys import add_key as add_key_to
from phancong.cli.common import JsonOption, database, emit_json, handles_errors, run, state
from phancong.composition import vault_for

app = typer.Typer(help="The database: its URL and schema migrations.", no_args_is_help=True)


@app.command("url")
@handles_errors
def url(
    ctx: typer.Context,
    show_password: bool = typer.Option(
        False, "--show-password", help="Print the password too (for psql); by default it is masked."
    ),
) -> None:
    """Print the URL of the database in use (for psql and for auditors), its password masked unless asked."""
    value, _ = state(ctx).stack.database_url(start=False)
    typer.echo(value if show_password else masked(value, query=False))


@app.command("migrate")
@handles_errors
def migrate(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Apply the pending schema migrations, in order (safe to repeat)."""

    async def go() -> tuple[list[migrations.Migration], migrations.SchemaStatus]:
        async with database(state(ctx), schema=False) as pool, pool.acquire() as conn:
            applied = await migrations.migrate(conn)
            return applied, await migrations.status(conn)

    applied, status = run(go())
    if as_json:
        emit_json({"applied": [m.version for m in applied], "version": status.current})
        return
    for m in applied:
        typer.echo(f"applied {m.version:04d}_{m.name}")
    typer.echo(f"schema at version {status.current} (latest {status.latest})")


@app.command("status")
@handles_errors
def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the schema version of the database and the migrations still to apply."""

    async def go() -> migrations.SchemaStatus:
        async with database(state(ctx), schema=False) as pool, pool.acquire() as conn:
            return await migrations.status(conn)

    result = run(go())
    pending = [f"{m.version:04d}_{m.name}" for m in result.pending]
    if as_json:
        emit_json({"version": result.current, "latest": result.latest, "pending": pending})
        return
    typer.echo(f"schema at version {result.current} of {result.latest}")
    for name in pending:
        typer.echo(f"pending {name}")


keys = typer.Typer(
    help="Key files: the keys Temporal payloads are encrypted with, and the master keys of households' data keys.",
    no_args_is_help=True,
)


@keys.command("add")
@handles_errors
def add_key(
    path: Path = typer.Argument(
        ..., help="The key file (PHANCONG_PAYLOAD_KEYS_FILE or PHANCONG_MASTER_KEYS_FILE); made if missing."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Put a new key at the top of the key file: what is encrypted from now on uses it, the older keys still decrypt
    what they encrypted (rotation rewrites no history; `keys rewrap` then moves households' data keys onto it). The
    key itself is never printed."""
    key_id = add_key_to(path)
    if as_json:
        emit_json({"key_id": key_id, "file": str(path)})
        return
    typer.echo(f"added key {key_id} to {path} (readable by its owner only)")


@keys.command("rewrap")
@handles_errors
def rewrap(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Wrap every household's data key with the current (first) master key, after `keys add` rotated it: no event
    is rewritten, and the older master key can then be retired from the file."""

    async def go() -> tuple[int, str]:
        settings = state(ctx).settings
        async with database(state(ctx)) as pool:
            return await vault_for(pool, settings).rewrap(), settings.master_keys().current

    count, current = run(go())
    if as_json:
        emit_json({"rewrapped": count, "master_key_id": current})
        return
    typer.echo(f"{count} household data keys rewrapped with master key {current}")
