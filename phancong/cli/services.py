"""`phancong up|down|status`: the embedded servers of a development machine."""

from __future__ import annotations

import typer

from phancong.cli.common import JsonOption, emit_json, handles_errors, state
from phancong.stack import ServiceNotRunningError


@handles_errors
def up(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Start the embedded PostgreSQL and Temporal dev server (or reuse them); configured servers are used as is."""
    cli = state(ctx)
    endpoints = cli.stack.up()
    ui = None if cli.settings.temporal_address else f"http://127.0.0.1:{cli.settings.embedded_temporal_ui_port}"
    if as_json:
        emit_json(
            {
                "database_url": endpoints.database_url,
                "temporal_address": endpoints.temporal_address,
                "temporal_ui": ui,
                "started": endpoints.started,
            }
        )
        return
    typer.echo(f"database  {endpoints.database_url}")
    typer.echo(f"temporal  {endpoints.temporal_address}")
    if ui:
        typer.echo(f"web UI    {ui}")
    typer.echo(f"started   {', '.join(endpoints.started) or 'nothing (already running)'}")


@handles_errors
def down(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Stop the embedded servers (their data stays in the state directory)."""
    stopped = state(ctx).stack.down()
    if as_json:
        emit_json({"stopped": stopped})
        return
    typer.echo(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")


@handles_errors
def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the servers in use and whether they answer."""
    stack = state(ctx).stack
    report: dict[str, str | None] = {}
    for name, lookup in (("database", stack.database_url), ("temporal", stack.temporal_address)):
        try:
            report[name] = lookup(start=False)[0]
        except ServiceNotRunningError:
            report[name] = None
    if as_json:
        emit_json(report)
        return
    for name, where in report.items():
        typer.echo(f"{name:9} {where or 'not running'}")
