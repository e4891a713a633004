"""`phancong projections`: how far the read models are, and rebuilding them from the log."""

from __future__ import annotations

from typing import Any

import typer

from domain.errors import PhancongError
from events import EventStore
from events.catalog import REGISTRY
from phancong.cli.common import JsonOption, database, emit_json, handles_errors, run, state
from projections.failures import failures
from projections.rebuild import RebuildResult, RebuildRunningError, rebuild
from projections.runner import Projector

app = typer.Typer(help="Read models: their lag behind the log; rebuild them from it.", no_args_is_help=True)


class RebuildBusyError(PhancongError):
    code = "wrong_state"


@app.command("status")
@handles_errors
def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The read models' checkpoint, and how many settled events they have yet to apply."""

    async def go() -> dict[str, Any]:
        async with database(state(ctx)) as pool:
            store = await EventStore.open(pool, REGISTRY)
            position = await Projector(pool, store, []).position()
            behind: int = await pool.fetchval(
                "SELECT count(*) FROM events WHERE global_position > $1 "
                "AND global_position < phancong_settled_position()",
                position,
            )
            failed = [
                {
                    "projection": f.projection,
                    "event_id": str(f.event_id),
                    "position": f.position,
                    "event": f"{f.event_type} {f.stream_id}@{f.version}",
                    "error": f.error,
                    "hq_told": f.notified_at is not None,
                }
                for f in await failures(pool)
            ]
            return {"position": position, "events_behind": behind, "failures": failed}

    result = run(go())
    if as_json:
        emit_json(result)
        return
    typer.echo(f"read models at position {result['position']}; {result['events_behind']} events to apply")
    if result["failures"]:
        typer.echo(f"{len(result['failures'])} events a read model could not apply (fix, then `projections rebuild`):")
    for f in result["failures"]:
        told = "" if f["hq_told"] else " (HQ not told yet)"
        typer.echo(f"  {f['projection']:12} {f['event']}: {f['error']}{told}")


@app.command("rebuild")
@handles_errors
def rebuild_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Replay the whole log into fresh tables and swap them in (the worker may keep running)."""

    async def go() -> RebuildResult:
        async with database(state(ctx)) as pool:
            store = await EventStore.open(pool, REGISTRY)
            try:
                return await rebuild(pool, store)
            except RebuildRunningError as busy:
                raise RebuildBusyError(str(busy)) from None

    result = run(go())
    if as_json:
        emit_json(
            {
                "events": result.events,
                "seconds": round(result.seconds, 3),
                "events_per_second": round(result.events_per_second),
                "position": result.position,
                "tables": list(result.tables),
            }
        )
    else:
        typer.echo(
            f"rebuilt {len(result.tables)} tables from {result.events:,} events in {result.seconds:.1f} s "
            f"({result.events_per_second:,.0f} events/s)"
        )
