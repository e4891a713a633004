"""HQ's pages: directives (list, a directive's coverage and assignments, issue with a preview of its scope, close)
and accounts (create with the enrolment link, grant, revoke, unlock, disable)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import PurePath
from typing import Any
from uuid import uuid4

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.links import enrolment_url
from app import accounts, assignments, directives, notifications, tasks
from app.records import bring_in as bring_in_records
from directives.model import DirectiveFile, PastRecord
from directives.records import parse_records
from domain.errors import InvalidInputError
from infra.files import parse_document, validate_document
from web import forms
from web.frame import Context, Viewer, posted, refusal, render, uploaded_file
from web.read import category_chart
from wording.tasks import what

router = APIRouter(include_in_schema=False)
PAGE = 50  # a directive's assignments shown at once


@router.get("/directives")
async def directive_list(request: Request, ctx: Context, viewer: Viewer) -> Response:
    found = await directives.listed(ctx.services, viewer.actor)
    return render(request, "directives.html", viewer, directives=found)


@router.get("/directives/{code:path}/view")
async def directive_page(code: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    status = await directives.status(ctx.services, viewer.actor, code)
    code = status["directive_id"]
    rows = await assignments.listed(ctx.services, viewer.actor, directive=code)
    by_post: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = by_post.setdefault(str(row.get("post_id") or "-"), {})
        stage = str(row.get("stage") or "-")
        counts[stage] = counts.get(stage, 0) + 1
    lang = "en" if viewer.account.language == "en" else "vi"
    coverage = [(c, n[0], n[1]) for c, n in status["cells_by_category"].items()]
    after = str(request.query_params.get("after", ""))[:260]
    shown = [r for r in rows if str(r["assignment_id"]) > after][:PAGE]
    template = "_directive.html" if request.query_params.get("part") == "figures" else "directive.html"
    return render(
        request, template, viewer, status=status, rows=shown, more=len(shown) == PAGE and rows[-1] != shown[-1],
        total=len(rows), by_post=sorted(by_post.items()), command_id=uuid4(), categories=category_chart(coverage, lang),
    )  # fmt: skip


@router.get("/directives/{code:path}/overdue")
async def directive_overdue(code: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    """A directive's overdue tasks (loaded after the page: computing them reads every open assignment)."""
    status = await directives.status(ctx.services, viewer.actor, code)
    found = await tasks.tasks(ctx.services, viewer.actor, status["directive_id"])
    lang = "en" if viewer.account.language == "en" else "vi"
    overdue = [(t, what(t, lang)) for t in found if t.overdue][:200]
    template = "_overdue.html" if request.headers.get("HX-Request") == "true" else "overdue.html"
    return render(request, template, viewer, status=status, overdue=overdue)


async def _records(form: Any) -> tuple[list[PastRecord], str, str, str]:
    """The past record in the form: an uploaded CSV or Excel file, or (at confirmation) the bytes previewed; the
    records, their file's name, its SHA-256 and its bytes (base64, to carry through the preview)."""
    try:
        carried = base64.b64decode(str(form.get("records_data", "")), validate=True)
    except (binascii.Error, ValueError):
        carried = b""
    data, name = await uploaded_file(
        form, "records", noun="record's file", kinds="CSV or Excel", default="records.csv", carried=carried,
        carried_name=str(form.get("records_name", "")),
    )  # fmt: skip
    records = parse_records(data, PurePath(name))  # type: ignore[arg-type]
    return records, name, hashlib.sha256(data).hexdigest(), base64.b64encode(data).decode()


@router.get("/directives/past")
async def bring_in_form(request: Request, viewer: Viewer) -> Response:
    return render(request, "past.html", viewer, preview=None, error=None, carried={})


@router.post("/directives/past")
async def bring_in(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """HQ brings a past directive's record in: first a preview of what would be recorded, then, confirmed, the
    record (``app.records``)."""
    form = await posted(request, viewer)
    carried: dict[str, str] = {}
    try:
        directive, name, text = await _uploaded(request, form)
        records, records_name, digest, records_data = await _records(form)
        carried = {"name": name, "text": text, "records_name": records_name, "records_data": records_data}
        confirmed = form.get("confirm") == "yes"
        done = await bring_in_records(
            ctx.services, viewer.actor, directive, records, source=records_name, digest=digest, confirm=confirmed
        )
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "past.html", viewer, http_status=status, preview=None, error=message, carried={})
    return render(request, "past.html", viewer, preview=done, error=None, carried=carried)


async def _uploaded(request: Request, form: Any) -> tuple[DirectiveFile, str, str]:
    """The directive in the form: an uploaded file or (at confirmation) the text previewed; its name and text."""
    data, name = await uploaded_file(
        form, "file", noun="directive's file", kinds="YAML or JSON", default="directive.yaml",
        carried=str(form.get("text", "")).encode("utf-8"), carried_name=str(form.get("name", "")),
    )  # fmt: skip
    path = PurePath(name if name.lower().endswith((".yaml", ".yml", ".json")) else name + ".yaml")
    parsed = parse_document(data, path)  # type: ignore[arg-type]
    return validate_document(DirectiveFile, parsed, path, code="invalid_directive"), path.name, data.decode("utf-8")  # type: ignore[arg-type]


@router.get("/directives/new")
async def issue_form(request: Request, viewer: Viewer) -> Response:
    return render(request, "issue.html", viewer, preview=None, error=None, text="", name="", issued=None)


@router.post("/directives/new")
async def issue(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """First a preview of the scope as the directory stands; then, confirmed, the directive issued."""
    form = await posted(request, viewer)
    confirmed = form.get("confirm") == "yes"
    text, name = "", ""
    try:
        directive, name, text = await _uploaded(request, form)
        if confirmed:
            source = f"web:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
            issued = await directives.issue(ctx.services, viewer.actor, directive, source)
            return render(request, "issue.html", viewer, preview=None, error=None, text="", name="", issued=issued)
        preview = await directives.preview(ctx.services, viewer.actor, directive, name)
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(
            request, "issue.html", viewer, http_status=status, preview=None, error=message, text=text, name=name,
            issued=None,
        )  # fmt: skip
    return render(request, "issue.html", viewer, preview=preview, error=None, text=text, name=name, issued=None)


@router.post("/directives/{code:path}/close")
async def close(code: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    form = await posted(request, viewer)
    try:
        await directives.close(
            ctx.services, viewer.actor, code, str(form.get("reason", ""))[:4000], command_id=forms.command_id_of(form)
        )
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "message.html", viewer, http_status=status, heading="close_directive", message=message)
    return RedirectResponse(f"/directives/{code}/view", status_code=303)


@router.get("/accounts")
async def account_list(request: Request, ctx: Context, viewer: Viewer) -> Response:
    found = await accounts.listed(ctx.services, viewer.actor)
    return render(request, "accounts.html", viewer, accounts=found, link=None, error=None)


@router.post("/accounts")
async def account_change(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """Create (the enrolment link shown once), grant, revoke, unlock, disable, reset."""
    form = await posted(request, viewer)
    action = str(form.get("action", ""))
    login = str(form.get("login", ""))[:200]
    link, error, status = None, None, 200
    try:
        match action:
            case "create":
                scopes = [s for s in str(form.get("scopes", "")).replace(",", " ").split() if s][:50]
                made = await accounts.create(
                    ctx.services, viewer.actor, login, str(form.get("name", ""))[:200], scopes,
                    language="en" if form.get("language") == "en" else "vi",
                )  # fmt: skip
                link = enrolment_url(ctx.settings.base_url, made.token)
            case "reset":
                made = await accounts.reset(ctx.services, viewer.actor, login)
                link = enrolment_url(ctx.settings.base_url, made.token)
            case "grant":
                await accounts.grant(ctx.services, viewer.actor, login, str(form.get("scope", ""))[:200])
            case "revoke":
                await accounts.revoke(ctx.services, viewer.actor, login, str(form.get("scope", ""))[:200])
            case "unlock":
                await accounts.unlock(ctx.services, viewer.actor, login)
            case "disable":
                await accounts.disable(ctx.services, viewer.actor, login, str(form.get("reason", ""))[:4000])
            case _:
                raise InvalidInputError("unknown action")
    except Exception as failure:
        status, _, error = refusal(failure)
    found = await accounts.listed(ctx.services, viewer.actor)
    return render(request, "accounts.html", viewer, http_status=status, accounts=found, link=link, error=error)


@router.get("/notifications")
async def notification_list(request: Request, ctx: Context, viewer: Viewer) -> Response:
    return await _notifications(request, ctx, viewer)


async def _notifications(
    request: Request, ctx: Context, viewer: Viewer, *, error: str | None = None, http_status: int = 200
) -> Response:
    wanted = str(request.query_params.get("status", ""))[:20] or None
    found = await notifications.listed(ctx.services, viewer.actor, status=wanted, limit=200)
    return render(
        request, "notifications.html", viewer, http_status=http_status, found=found, wanted=wanted or "",
        statuses=notifications.STATUSES, error=error, command_id=uuid4(),
    )  # fmt: skip


@router.post("/notifications/{notification_id}/retry")
async def notification_retry(notification_id: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    """HQ sends a dead letter again (every attempt is recorded)."""
    await posted(request, viewer)
    try:
        await notifications.retry(ctx.services, viewer.actor, notification_id[:80])
    except Exception as failure:
        status, _, message = refusal(failure)
        return await _notifications(request, ctx, viewer, error=message, http_status=status)
    return RedirectResponse("/notifications?status=dead", status_code=303)
