"""`phancong notifications`: HQ sees what was delivered, what is stuck, and retries dead letters."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import typer

from app import notifications
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state

app = typer.Typer(help="Notifications: delivered, pending, dead letters; retry.", no_args_is_help=True)


@app.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending | delivered | dead"),
    recipient: str | None = typer.Option(None, "--recipient", help="ROLE[:ID]"),
    limit: int = typer.Option(50, "--limit", help="At most this many (1 to 10,000)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Notifications, newest first (HQ and auditors)."""
    viewer = actor_of(actor)

    async def go() -> list[dict[str, Any]]:
        async with services(state(ctx)) as s:
            return await notifications.listed(s, viewer, status=status, recipient=recipient, limit=limit)

    rows = run(go())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        who = f"{r['recipient_role']}:{r['recipient_id']}" if r["recipient_id"] else r["recipient_role"]
        channel = r["channel"] or "-"
        typer.echo(
            f"{r['notification_id']}  {r['status']:9} {r['attempts']:>2}x {channel:8} {who:24} "
            f"{r['title'] or r['subject']}"
        )
        if r["status"] == "dead" and r["last_error"]:
            typer.echo(f"{'':38}last error: {r['last_error']}")


@app.command("retry")
@handles_errors
def retry(
    ctx: typer.Context,
    notification: str = typer.Argument(..., help="A dead-lettered notification's id."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Try a dead-lettered notification again (every attempt is recorded)."""
    who = actor_of(actor)

    async def go() -> UUID:
        async with services(state(ctx)) as s:
            return await notifications.retry(s, who, notification)

    notification_id = run(go())
    if as_json:
        emit_json({"notification_id": str(notification_id), "status": "pending"})
    else:
        typer.echo(f"{notification_id}: delivery started again")
