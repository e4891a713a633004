"""Signing in and out, enrolling from the one-time link (a password, and the authenticator's QR code), the
language and the scope a person acts in, and their personal API tokens."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

import segno
from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from api.security import COOKIE, client_of, set_session_cookie
from app import accounts, auth
from domain.errors import InvalidInputError
from web.frame import LANG_COOKIE, Context, Viewer, back_to, posted, refusal, render, signed_in

router = APIRouter(include_in_schema=False)
LinkToken = Annotated[str, Path(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/")
async def home(request: Request) -> Response:
    return RedirectResponse("/tasks", status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    return render(request, "sign_in.html", None, next=back_to(request, "/tasks"), error=None, login="")


@router.post("/sign-in")
async def sign_in(request: Request, ctx: Context) -> Response:
    form = await posted(request)
    login = str(form.get("login", ""))[:200]
    target = back_to(request, "/tasks")
    try:
        client = client_of(request)
        ctx.limiter.check(f"client:{client}")
        stale = request.cookies.get(COOKIE)
        if stale:
            await auth.sign_out(ctx.services, stale)
        signed = await auth.sign_in(
            ctx.services,
            login,
            str(form.get("password", ""))[:1000],
            str(form.get("code", "")).strip()[:20] or None,
            client,
            policy=ctx.policy,
        )
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "sign_in.html", None, http_status=status, next=target, error=message, login=login)
    answer = RedirectResponse(target, status_code=303)
    set_session_cookie(answer, ctx, signed.session_token)
    return answer


@router.post("/sign-out")
async def sign_out(request: Request, ctx: Context, viewer: Viewer) -> Response:
    await posted(request, viewer)
    token = request.cookies.get(COOKIE)
    if token:
        await auth.sign_out(ctx.services, token)
    answer = RedirectResponse("/sign-in", status_code=303)
    answer.delete_cookie(COOKIE, path="/", httponly=True, secure=ctx.settings.secure_cookies, samesite="strict")
    return answer


def qr_code(uri: str) -> str:
    """The authenticator's key as a QR code (an SVG image, as a data: address the CSP allows)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@router.get("/enrol/{token}")
async def enrolment(token: LinkToken, request: Request, ctx: Context) -> Response:
    try:
        ctx.limiter.check(f"client:{client_of(request)}")
        view = await auth.enrolment(ctx.services, token)
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "message.html", None, http_status=status, heading="enrol", message=message)
    return render(request, "enrol.html", None, view=view, qr=qr_code(view.totp_uri), error=None, errors={})


@router.post("/enrol/{token}")
async def enrol(token: LinkToken, request: Request, ctx: Context) -> Response:
    form = await posted(request)
    try:
        ctx.limiter.check(f"client:{client_of(request)}")
        view = await auth.enrolment(ctx.services, token)
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "message.html", None, http_status=status, heading="enrol", message=message)
    code = str(form.get("code", "")).strip()[:20] or None
    try:
        await auth.enrol(ctx.services, token, str(form.get("password", ""))[:1000], code)
    except Exception as failure:
        status, error_code, message = refusal(failure)
        where = "code" if "code" in error_code or "factor" in message else "password"
        return render(
            request, "enrol.html", None, http_status=status, view=view, qr=qr_code(view.totp_uri), error=message,
            errors={where: message},
        )  # fmt: skip
    return render(request, "message.html", None, heading="enrol", message_key="enrolled", link="/sign-in")


@router.post("/language")
async def language(request: Request, ctx: Context) -> Response:
    """Signed in: the account's language from now on; before: this browser's."""
    target = back_to(request, "/tasks")
    try:
        viewer = await signed_in(request)
    except Exception:
        viewer = None
    form = await posted(request, viewer)
    chosen = "en" if form.get("language") == "en" else "vi"
    if viewer is not None:
        await accounts.choose_language(ctx.services, viewer.actor, chosen)
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="strict", path="/")
    return answer


@router.post("/scope")
async def scope(request: Request, ctx: Context, viewer: Viewer) -> Response:
    form = await posted(request, viewer)
    await auth.choose_scope(ctx.services, viewer, str(form.get("scope", ""))[:200])
    return RedirectResponse("/tasks", status_code=303)


@router.get("/tokens")
async def tokens(request: Request, ctx: Context, viewer: Viewer) -> Response:
    listed = auth.token_list(viewer.account, ctx.services.clock.now())
    return render(request, "tokens.html", viewer, tokens=listed, issued=None, error=None)


@router.post("/tokens")
async def issue_token(request: Request, ctx: Context, viewer: Viewer) -> Response:
    form = await posted(request, viewer)
    issued, error, status = None, None, 200
    days_text = str(form.get("days", "")).strip() or "90"
    try:
        if not days_text.isdigit() or len(days_text) > 4:
            raise InvalidInputError("days: a whole number of days")
        scopes = [str(s) for s in form.getlist("scopes")]
        issued = await auth.issue_token(ctx.services, viewer, str(form.get("name", ""))[:200], scopes, int(days_text))
    except Exception as failure:
        status, _, error = refusal(failure)
    viewer = await signed_in(request)
    listed = auth.token_list(viewer.account, ctx.services.clock.now())
    return render(request, "tokens.html", viewer, http_status=status, tokens=listed, issued=issued, error=error)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(token_id: UUID, request: Request, ctx: Context, viewer: Viewer) -> Response:
    await posted(request, viewer)
    await auth.revoke_token(ctx.services, viewer, token_id)
    return RedirectResponse("/tokens", status_code=303)
