"""Accounts, as HQ keeps them, and the access record auditors read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api import models
from api.links import enrolment_api_url, enrolment_url
from api.problems import COMMON, documented
from api.security import Caller, Context
from app import accounts

router = APIRouter(tags=["accounts"])
Login = Annotated[str, Path(min_length=1, max_length=64)]


def link(ctx: Any, made: accounts.Enrolment) -> models.EnrolmentLink:
    return models.EnrolmentLink(
        account_id=made.account_id,
        enrolment_url=enrolment_url(ctx.settings.base_url, made.token),
        enrolment_api_url=enrolment_api_url(ctx.settings.base_url, made.token),
        expires_at=made.expires_at,
    )


def account(data: dict[str, Any]) -> models.Account:
    return models.Account.model_validate(data)


@router.get("/accounts", responses=documented(*COMMON), response_model=list[models.Account])
async def listed(ctx: Context, caller: Caller) -> list[models.Account]:
    """Every account, its scopes and status (HQ and auditors)."""
    return [account(a) for a in await accounts.listed(ctx.services, caller.actor)]


@router.post("/accounts", status_code=201, responses=documented(*COMMON, 409), response_model=models.EnrolmentLink)
async def create(body: models.NewAccount, ctx: Context, caller: Caller) -> models.EnrolmentLink:
    """HQ creates an account holding some scopes; the answer's one-time link (shown once) is where the person sets
    their password. (No Idempotency-Key: the answer holds a secret phancong keeps nowhere; sent again, the
    account exists already.)"""
    made = await accounts.create(
        ctx.services, caller.actor, body.login, body.name, body.scopes, contact=body.contact, language=body.language
    )
    return link(ctx, made)


@router.get("/accounts/{login}", responses=documented(*COMMON, 404), response_model=models.Account)
async def show(login: Login, ctx: Context, caller: Caller) -> models.Account:
    """One account as it stands now (HQ, auditors, and the person themselves)."""
    return account(await accounts.show(ctx.services, caller.actor, login))


async def _after(ctx: Any, caller: Any, login: str) -> models.Account:
    return account(await accounts.show(ctx.services, caller.actor.scope.by(caller.account.account_id), login))


@router.post("/accounts/{login}/grant", responses=documented(*COMMON, 404, 409), response_model=models.Account)
async def grant(login: Login, body: models.ScopeChange, ctx: Context, caller: Caller) -> models.Account:
    """HQ lets the account act as one more unit."""
    await accounts.grant(ctx.services, caller.actor, login, body.scope)
    return await _after(ctx, caller, login)


@router.post("/accounts/{login}/revoke", responses=documented(*COMMON, 404, 409), response_model=models.Account)
async def revoke(login: Login, body: models.ScopeChange, ctx: Context, caller: Caller) -> models.Account:
    """HQ takes a scope away: the account's sessions and tokens lose it at once."""
    await accounts.revoke(ctx.services, caller.actor, login, body.scope)
    return await _after(ctx, caller, login)


@router.post("/accounts/{login}/disable", responses=documented(*COMMON, 404, 409), response_model=models.Account)
async def disable(login: Login, body: models.Reason, ctx: Context, caller: Caller) -> models.Account:
    """HQ disables the account: every session ends and every token stops, at once."""
    await accounts.disable(ctx.services, caller.actor, login, body.reason)
    return await _after(ctx, caller, login)


@router.post("/accounts/{login}/unlock", responses=documented(*COMMON, 404, 409), response_model=models.Account)
async def unlock(login: Login, ctx: Context, caller: Caller) -> models.Account:
    """HQ unlocks an account locked after failed sign-ins."""
    await accounts.unlock(ctx.services, caller.actor, login)
    return await _after(ctx, caller, login)


@router.post("/accounts/{login}/reset", responses=documented(*COMMON, 404, 409), response_model=models.EnrolmentLink)
async def reset(login: Login, ctx: Context, caller: Caller) -> models.EnrolmentLink:
    """HQ issues a new enrolment link: the old password and second factor stop working, every session ends."""
    return link(ctx, await accounts.reset(ctx.services, caller.actor, login))


@router.get("/access-log", responses=documented(*COMMON), response_model=models.Page[models.AccessEntry])
async def access_log(
    ctx: Context,
    caller: Caller,
    account_id: Annotated[str | None, Query(alias="account", max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> models.Page[models.AccessEntry]:
    """Sign-ins, failures, locks, unlocks, sign-outs, newest first (HQ and auditors)."""
    before = models.from_cursor("access", cursor, int)
    entries = await accounts.access_log(ctx.services, caller.actor, account_id, before=before, limit=limit)
    items = [models.AccessEntry.model_validate(e.__dict__) for e in entries]
    last = items[-1].id if len(items) == limit else None
    return models.Page(items=items, next_cursor=None if last is None else models.cursor_of("access", last))
