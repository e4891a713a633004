"""`phancong worker`, `phancong serve` and `phancong run`: the service itself."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import typer

import migrations
import worker
from api.links import enrolment_url
from app import accounts
from phancong.cli.common import CliState, database, handles_errors, note, services, state, temporal_client


@handles_errors
def run_worker(ctx: typer.Context) -> None:
    """Run the worker against the configured servers (or the embedded ones); SIGTERM stops it gracefully."""
    cli = state(ctx)
    database_url, _ = cli.stack.database_url(start=True)
    temporal_address, _ = cli.stack.temporal_address(start=True)

    async def go() -> None:
        await worker.serve(cli.settings, database_url, temporal_address, worker.stop_on_signals())

    asyncio.run(go())


async def first_account(cli: CliState) -> None:
    """On a database without accounts, make the first HQ account and print its enrolment link (once: it is kept
    nowhere; `phancong account reset admin --as hq` makes a new one)."""
    async with services(cli) as s:
        made = await accounts.first_account(s)
    if made is not None:
        note(f"first HQ account '{made.account_id}': set its password (and second factor) at")
        note(f"    {enrolment_url(cli.settings.base_url, made.token)}")
        note(f"    valid until {made.expires_at:%Y-%m-%d %H:%M} UTC")


@handles_errors
def serve(ctx: typer.Context) -> None:
    """Run the API (the web app's too) against the configured servers, or the embedded ones; SIGTERM stops it."""
    cli = state(ctx)
    database_url, _ = cli.stack.database_url(start=True)

    async def go() -> None:
        stop = worker.stop_on_signals()  # from the start: a SIGTERM while starting stops it cleanly too
        from phancong.api_server import api_of, serve_api  # noqa: PLC0415 - the web stack, only when serving

        await first_account(cli)
        app = api_of(cli.settings, database_url, lambda: temporal_client(cli), cli.clock)
        note(f"web app  {cli.settings.base_url}/")
        note(f"API      {cli.settings.base_url}/api/v1 (docs: {cli.settings.base_url}/api/v1/docs)")
        await serve_api(app, cli.settings, stop)

    asyncio.run(go())


@handles_errors
def run(ctx: typer.Context) -> None:
    """Everything on this machine: the embedded servers (unless configured), migrations, the worker, the API.

    Ctrl-C stops the service, then the embedded servers this command started.
    """
    cli = state(ctx)
    endpoints = cli.stack.up()
    try:
        note(f"database {endpoints.database_url}")
        note(f"temporal {endpoints.temporal_address}")
        if not cli.settings.temporal_address:
            note(f"web UI   http://127.0.0.1:{cli.settings.embedded_temporal_ui_port} (Temporal's)")

        async def go() -> None:
            stop = worker.stop_on_signals()
            from phancong.api_server import api_of, serve_api  # noqa: PLC0415 - the web stack, only when serving

            async with database(cli, schema=False) as pool, pool.acquire() as conn:
                for m in await migrations.migrate(conn):
                    note(f"applied migration {m.version:04d}_{m.name}")
            await first_account(cli)
            app = api_of(cli.settings, endpoints.database_url, lambda: temporal_client(cli), cli.clock)
            note(f"web app  {cli.settings.base_url}/")
            note(f"API      {cli.settings.base_url}/api/v1 (docs: {cli.settings.base_url}/api/v1/docs)")
            await asyncio.gather(
                worker.serve(cli.settings, endpoints.database_url, endpoints.temporal_address, stop),
                _stopping_all(serve_api(app, cli.settings, stop), stop),
            )

        asyncio.run(go())
    finally:
        if endpoints.started:
            note(f"stopping {', '.join(endpoints.started)}")
            cli.stack.down(only=endpoints.started)


async def _stopping_all(served: Awaitable[None], stop: asyncio.Event) -> None:
    """Run the API; should it fail (its port taken), stop the worker too rather than run half a service."""
    try:
        await served
    finally:
        stop.set()
