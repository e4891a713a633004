"""`phancong notifications`: HQ sees what was delivered, what is stuck, and retries dead letters."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import typer

from activities.delivery import Deliveries
from domain.errors import PhancongError
from phancong.cli.common import (
    ActorOption,
    InvalidArgumentError,
    JsonOption,
    actor_of,
    database,
    emit_json,
    handles_errors,
    run,
    state,
    temporal,
)

app = typer.Typer(help="Notifications: delivered, pending, dead letters; retry.", no_args_is_help=True)


class NotRetriableError(PhancongError):
    code = "wrong_state"


@app.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending | delivered | dead"),
    recipient: str | None = typer.Option(None, "--recipient", help="ROLE[:ID]"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Notifications, newest first (HQ and auditors)."""
    actor_of(actor, roles=("hq", "auditor"))
    if status not in (None, "pending", "delivered", "dead"):
        raise InvalidArgumentError(f"--status {status!r}: pending, delivered or dead")
    role, _, ident = (recipient or "").partition(":")

    async def go() -> list[dict[str, Any]]:
        async with database(state(ctx)) as pool:
            rows = await pool.fetch(
                "SELECT notification_id, created_at, recipient_role, recipient_id, subject, escalation, due_on, "
                "status, attempts, channel, address, last_error, delivered_at, message ->> 'subject' AS title "
                "FROM notifications WHERE ($1::text IS NULL OR status = $1) "
                "AND ($2::text = '' OR recipient_role = $2) AND ($3::text = '' OR recipient_id = $3) "
                "ORDER BY created_at DESC LIMIT $4",
                status,
                role,
                ident,
                limit,
            )
        return [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, UUID) else v)
                for k, v in r.items()
            }
            for r in rows
        ]

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
    who = actor_of(actor, roles=("hq",))
    try:
        notification_id = UUID(notification)
    except ValueError:
        raise InvalidArgumentError(f"{notification!r} is not a notification id") from None
    cli = state(ctx)

    async def go() -> None:
        async with database(cli) as pool:
            status = await pool.fetchval("SELECT status FROM notifications WHERE notification_id = $1", notification_id)
            if status is None:
                raise NotRetriableError(f"no notification {notification_id}", code="not_found")
            if status != "dead":
                raise NotRetriableError(f"notification {notification_id} is {status}, not dead")
        async with temporal(cli) as client:
            settings = cli.settings
            deliveries = Deliveries.configured(client, settings)
            await deliveries.start(notification_id, settings.task_queue, retried_by=who)

    run(go())
    if as_json:
        emit_json({"notification_id": str(notification_id), "status": "pending"})
    else:
        typer.echo(f"{notification_id}: delivery started again")
