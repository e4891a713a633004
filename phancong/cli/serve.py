"""`phancong worker` and `phancong run`: the service itself."""

from __future__ import annotations

import asyncio

import typer

import migrations
import worker
from phancong.cli.common import database, handles_errors, note, state


@handles_errors
def run_worker(ctx: typer.Context) -> None:
    """Run the worker against the configured servers (or the embedded ones); SIGTERM stops it gracefully."""
    cli = state(ctx)
    database_url, _ = cli.stack.database_url(start=True)
    temporal_address, _ = cli.stack.temporal_address(start=True)

    async def go() -> None:
        await worker.serve(cli.settings, database_url, temporal_address, worker.stop_on_signals())

    asyncio.run(go())


@handles_errors
def run(ctx: typer.Context) -> None:
    """Everything on this machine: the embedded servers (unless configured), migrations, the worker.

    Ctrl-C stops the service, then the embedded servers this command started.
    """
    cli = state(ctx)
    endpoints = cli.stack.up()
    try:
        note(f"database {endpoints.database_url}")
        note(f"temporal {endpoints.temporal_address}")
        if not cli.settings.temporal_address:
            note(f"web UI   http://127.0.0.1:{cli.settings.embedded_temporal_ui_port}")

        async def go() -> None:
            async with database(cli, schema=False) as pool, pool.acquire() as conn:
                for m in await migrations.migrate(conn):
                    note(f"applied migration {m.version:04d}_{m.name}")
            await worker.serve(
                cli.settings, endpoints.database_url, endpoints.temporal_address, worker.stop_on_signals()
            )

        asyncio.run(go())
    finally:
        if endpoints.started:
            note(f"stopping {', '.join(endpoints.started)}")
            cli.stack.down(only=endpoints.started)
