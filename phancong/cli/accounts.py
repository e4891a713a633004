"""`phancong account`: HQ creates accounts (with a one-time enrolment link), grants and revokes scopes, resets,
unlocks and disables them; HQ and auditors list them and read the access record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import typer

from api.links import enrolment_url
from app import accounts
from app.ports import AccessEntry
from app.services import Services
from domain.actors import Actor
from phancong.cli.common import (
    ActorOption,
    JsonOption,
    actor_of,
    emit_json,
    handles_errors,
    run,
    services,
    state,
)

app = typer.Typer(help="Accounts: the people who sign in to the API and the web app.", no_args_is_help=True)
Login = typer.Argument(..., help="The account's login, e.g. nguyen.van.an")


def _link(ctx: typer.Context, made: accounts.Enrolment, as_json: bool, verb: str) -> None:
    url = enrolment_url(state(ctx).settings.base_url, made.token)
    if as_json:
        emit_json({"account_id": made.account_id, "enrolment_url": url, "expires_at": made.expires_at.isoformat()})
        return
    typer.echo(f"{made.account_id}: {verb}; the person sets their password at (shown once):")
    typer.echo(f"  {url}")
    typer.echo(f"  valid until {made.expires_at:%Y-%m-%d %H:%M} UTC")


@app.command("create")
@handles_errors
def create(
    ctx: typer.Context,
    login: str = typer.Option(..., "--login", help="Lower-case letters, digits, '.', '_' and '-'."),
    name: str = typer.Option(..., "--name", help="The person's full name."),
    scope: list[str] = typer.Option(..., "--scope", help="post:ID, commune:ID, cell:ID, member:ID, hq or auditor."),
    contact: str = typer.Option("", "--contact", help="E-mail or phone."),
    language: str = typer.Option("vi", "--language", help="vi or en."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ creates an account and gets its one-time enrolment link."""
    who = actor_of(actor)

    async def go() -> accounts.Enrolment:
        async with services(state(ctx)) as s:
            return await accounts.create(s, who, login, name, scope, contact=contact, language=language)

    _link(ctx, run(go()), as_json, "created")


@app.command("reset")
@handles_errors
def reset(ctx: typer.Context, login: str = Login, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """HQ issues a new enrolment link: the old password and second factor stop working, every session ends."""
    who = actor_of(actor)

    async def go() -> accounts.Enrolment:
        async with services(state(ctx)) as s:
            return await accounts.reset(s, who, login)

    _link(ctx, run(go()), as_json, "reset")


def _changed(after: dict[str, Any], as_json: bool, done: str) -> None:
    if as_json:
        emit_json(after)
    else:
        typer.echo(f"{after['account_id']}: {done}; {after['status']}, scopes {', '.join(after['scopes']) or '-'}")


def _apply(
    ctx: typer.Context, who: Actor, login: str, change: Callable[[Services], Awaitable[object]]
) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with services(state(ctx)) as s:
            await change(s)
            return await accounts.show(s, who, login)

    return run(go())


@app.command("grant")
@handles_errors
def grant(
    ctx: typer.Context,
    login: str = Login,
    scope: str = typer.Option(..., "--scope", help="post:ID, commune:ID, cell:ID, member:ID, hq or auditor."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ lets the account act as one more unit."""
    who = actor_of(actor)
    _changed(_apply(ctx, who, login, lambda s: accounts.grant(s, who, login, scope)), as_json, f"granted {scope}")


@app.command("revoke")
@handles_errors
def revoke(
    ctx: typer.Context,
    login: str = Login,
    scope: str = typer.Option(..., "--scope"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ takes a scope away: the account's sessions and tokens lose it at once."""
    who = actor_of(actor)
    _changed(_apply(ctx, who, login, lambda s: accounts.revoke(s, who, login, scope)), as_json, f"revoked {scope}")


@app.command("disable")
@handles_errors
def disable(
    ctx: typer.Context,
    login: str = Login,
    reason: str = typer.Option(..., "--reason"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ disables the account: every session ends and every token stops, at once."""
    who = actor_of(actor)
    _changed(_apply(ctx, who, login, lambda s: accounts.disable(s, who, login, reason)), as_json, "disabled")


@app.command("unlock")
@handles_errors
def unlock(ctx: typer.Context, login: str = Login, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """HQ unlocks an account locked after failed sign-ins."""
    who = actor_of(actor)
    _changed(_apply(ctx, who, login, lambda s: accounts.unlock(s, who, login)), as_json, "unlocked")


@app.command("list")
@handles_errors
def list_(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Every account, its scopes and status (HQ and auditors)."""
    who = actor_of(actor)

    async def go() -> list[dict[str, Any]]:
        async with services(state(ctx)) as s:
            return await accounts.listed(s, who)

    rows = run(go())
    if as_json:
        emit_json(rows)
        return
    for a in rows:
        factor = "2FA" if a["second_factor"] else "   "
        typer.echo(f"{a['account_id']:24} {a['status']:9} {factor} {a['name']}  [{', '.join(a['scopes'])}]")


@app.command("show")
@handles_errors
def show(ctx: typer.Context, login: str = Login, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """One account as it stands now, with its API tokens (never a secret)."""
    who = actor_of(actor)

    async def go() -> dict[str, Any]:
        async with services(state(ctx)) as s:
            return await accounts.show(s, who, login)

    found = run(go())
    if as_json:
        emit_json(found)
        return
    typer.echo(f"{found['account_id']}: {found['name']} ({found['status']})")
    typer.echo(f"  scopes   {', '.join(found['scopes']) or '-'}")
    typer.echo(f"  enrolled {found['enrolled']}, second factor {found['second_factor']}")
    for t in found["tokens"]:
        state_ = "revoked" if t["revoked"] else f"until {t['expires_at'][:10]}"
        typer.echo(f"  token {t['token_id']} {t['name']} [{', '.join(t['scopes'])}] {state_}")


@app.command("access-log")
@handles_errors
def access_log(
    ctx: typer.Context,
    login: str | None = typer.Option(None, "--account", help="Only this account's."),
    limit: int = typer.Option(100, "--limit"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Sign-ins, failures, locks, unlocks and sign-outs, newest first (HQ and auditors)."""
    who = actor_of(actor)

    async def go() -> list[AccessEntry]:
        async with services(state(ctx)) as s:
            return await accounts.access_log(s, who, login, limit=limit)

    rows = run(go())
    if as_json:
        emit_json([{**r.__dict__, "at": r.at.isoformat()} for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.at:%Y-%m-%d %H:%M:%S} {r.kind:16} {r.account_id or '-':24} {r.client or '-':15} {r.detail}")
