"""`phancong projections`: how far the read models are, and rebuilding them from the log."""

from __future__ import annotations

from typing import Any

import typer

from app import projections
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state
from projections.rebuild import RebuildResult

app = typer.Typer(help="Read models: their lag behind the log; rebuild them from it.", no_args_is_help=True)


@app.command("status")
@handles_errors
def status(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """The read models' checkpoint, and how many settled events they have yet to apply (HQ, auditors)."""
    viewer = actor_of(actor)

    async def go() -> dict[str, Any]:
        async with services(state(ctx)) as s:
            return await projections.status(s, viewer)

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
def rebuild_command(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Replay the whole log into fresh tables and swap them in, as HQ (the worker may keep running)."""
    who = actor_of(actor)

    async def go() -> RebuildResult:
        async with services(state(ctx)) as s:
            result: RebuildResult = await projections.rebuild(s, who)
            return result

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
