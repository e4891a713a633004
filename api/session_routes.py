"""Signing in and out, enrolling from a one-time link, the caller's own account, personal API tokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from api import models
from api.problems import COMMON, documented
from api.security import COOKIE, Caller, Context, client_of, set_session_cookie
from app import auth
from app.auth import Principal

router = APIRouter(tags=["session"])
LinkToken = Annotated[str, Path(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


def me(p: Principal) -> models.Me:
    return models.Me(
        account_id=p.account.account_id,
        name=p.account.name,
        scopes=[str(s) for s in p.allowed if p.account.holds(s)],
        acting_as=str(p.actor.scope),
        via=p.via,
        language=p.account.language,
        csrf_token=p.csrf,
    )


@router.post("/session", responses=documented(*COMMON, 410), response_model=models.SignedIn)
async def sign_in(body: models.SignIn, request: Request, response: Response, ctx: Context) -> models.SignedIn:
    """Sign in with the login, the password and (for accounts with a second factor) the authenticator's code.
    Sets the session cookie; the answer carries the CSRF token every POST with that cookie sends back."""
    client = client_of(request)
    ctx.limiter.check(f"client:{client}")
    stale = request.cookies.get(COOKIE)
    if stale:  # a new session id at every sign-in: a cookie planted before it is worth nothing
        await auth.sign_out(ctx.services, stale)
    signed = await auth.sign_in(
        ctx.services, body.login, body.password, body.code, client, scope=body.scope, policy=ctx.policy
    )
    set_session_cookie(response, ctx, signed.session_token)
    return models.SignedIn(**me(signed.principal).model_dump(), expires_at=signed.expires_at)


@router.get("/session", responses=documented(*COMMON), response_model=models.Me)
async def whoami(caller: Caller) -> models.Me:
    """Who the request is: the account, its scopes, the scope it acts in."""
    return me(caller)


@router.post("/session/sign-out", status_code=204, responses=documented(*COMMON))
async def sign_out(request: Request, response: Response, ctx: Context, caller: Caller) -> None:
    """End this session now (its cookie is worth nothing from here on)."""
    token = request.cookies.get(COOKIE)
    if token:
        await auth.sign_out(ctx.services, token)
    response.delete_cookie(COOKIE, path="/", httponly=True, secure=ctx.settings.secure_cookies, samesite="strict")


@router.post("/session/scope", responses=documented(*COMMON), response_model=models.Me)
async def choose_scope(body: models.ChooseScope, ctx: Context, caller: Caller) -> models.Me:
    """Act in another of the account's scopes from now on (this session)."""
    return me(await auth.choose_scope(ctx.services, caller, body.scope))


@router.get("/enrolment/{token}", responses=documented(*COMMON, 410), response_model=models.Enrolment)
async def enrolment(token: LinkToken, request: Request, ctx: Context) -> models.Enrolment:
    """What a one-time enrolment link is for: whose account, whether a second factor is required, and the
    authenticator key offered."""
    ctx.limiter.check(f"client:{client_of(request)}")
    view = await auth.enrolment(ctx.services, token)
    return models.Enrolment(**view.__dict__)


@router.post("/enrolment/{token}", responses=documented(*COMMON, 410), response_model=models.Enrolled)
async def enrol(token: LinkToken, body: models.Enrol, request: Request, ctx: Context) -> models.Enrolled:
    """Set the password (and, with a code of the offered key, the second factor); the link is then used up."""
    ctx.limiter.check(f"client:{client_of(request)}")
    account = await auth.enrol(ctx.services, token, body.password, body.code)
    return models.Enrolled(account_id=account.account_id, second_factor=account.second_factor)


@router.get("/tokens", responses=documented(*COMMON), response_model=list[models.TokenView])
async def tokens(ctx: Context, caller: Caller) -> list[models.TokenView]:
    """The account's personal API tokens (never the tokens themselves)."""
    return [models.TokenView.model_validate(t) for t in auth.token_list(caller.account, ctx.services.clock.now())]


@router.post("/tokens", status_code=201, responses=documented(*COMMON, 409), response_model=models.IssuedToken)
async def issue_token(body: models.NewToken, ctx: Context, caller: Caller) -> models.IssuedToken:
    """A personal API token for a script: shown once, kept hashed, limited to some of the account's scopes,
    expiring. Made from a signed-in session. (No Idempotency-Key: its answer holds a secret phancong keeps
    nowhere.)"""
    issued = await auth.issue_token(ctx.services, caller, body.name, body.scopes, body.days)
    return models.IssuedToken(
        token=issued.token,
        token_id=str(issued.token_id),
        name=issued.name,
        scopes=list(issued.scopes),
        expires_at=issued.expires_at,
    )


@router.post("/tokens/{token_id}/revoke", status_code=204, responses=documented(*COMMON, 404, 409))
async def revoke_token(token_id: UUID, ctx: Context, caller: Caller) -> None:
    """Revoke one of the account's tokens: refused from the next request on."""
    await auth.revoke_token(ctx.services, caller, token_id)
