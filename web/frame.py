"""What every page shares: who is signed in (the API's session cookie), the page's words and formats, the
Content-Security-Policy, the CSRF token every form carries, and a refusal said in the API's words."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData, UploadFile

from api.problems import STATUS_OF, refusal_of
from api.security import COOKIE, ApiContext, context
from app import auth
from app.auth import NotSignedInError, Principal
from domain.actors import Role
from domain.errors import InvalidInputError, PhancongError
from infra.files import DEFAULT_LIMITS
from web.words import COMMAND_NAMES, FIELDS, OPTIONS, WORDS, word
from wording import report as formats

HERE = Path(__file__).parent
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
LANG_COOKIE = "phancong_lang"  # the language of the pages shown before signing in
# No inline script or style anywhere: htmx is configured by a <meta> tag, charts are SVG with attributes.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates ship with the package: read once per process
)


class SignInFirstError(Exception):
    """A page that needs a signed-in person, asked without one (answered by sending them to sign in)."""


def language_of(request: Request, viewer: Principal | None) -> str:
    if viewer is not None:
        return "en" if viewer.account.language == "en" else "vi"
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "vi"


def when(value: datetime | date | str | None, lang: str) -> str:
    """A day as dd/mm/yyyy (Vietnamese) or yyyy-mm-dd; an instant with its Viet Nam time."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        local = value.astimezone(VIETNAM)
        return f"{local:%d/%m/%Y %H:%M}" if lang == "vi" else f"{local:%Y-%m-%d %H:%M}"
    return formats.day(value, lang)


def render(
    request: Request, template: str, viewer: Principal | None, *, http_status: int = 200, **values: Any
) -> HTMLResponse:
    lang = language_of(request, viewer)

    def t(key: str) -> str:
        return word(WORDS, key, lang)

    page = templates.get_template(template).render(
        request=request,
        viewer=viewer,
        lang=lang,
        t=t,
        field=lambda key: word(FIELDS, key, lang),
        command_name=lambda key: word(COMMAND_NAMES, key, lang),
        option=lambda key: word(OPTIONS, str(key), lang),
        day=lambda value: when(value, lang),
        money=lambda n: formats.money(int(n), lang),
        number=lambda n: formats.number(int(n), lang),
        percent=lambda x: formats.percent(x, lang),
        label=lambda key: formats.label(key, lang),
        csrf=viewer.csrf if viewer is not None else "",
        nav=navigation(viewer),
        path=request.url.path,
        **values,
    )
    return HTMLResponse(page, status_code=http_status, headers=headers())


def headers() -> dict[str, str]:
    return {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "Vary": "HX-Request, Cookie"}


def navigation(viewer: Principal | None) -> list[tuple[str, str]]:
    """(path, word) of the pages the acting scope reaches."""
    if viewer is None:
        return []
    role = viewer.actor.role
    found = [("/tasks", "tasks")]
    if role in (Role.HQ, Role.AUDITOR, Role.POST, Role.COMMUNE):
        found.append(("/directives", "directives"))
    if role in (Role.HQ, Role.AUDITOR, Role.POST, Role.COMMUNE):
        found.append(("/report", "report"))
    found += [("/history", "history"), ("/directory", "directory")]
    if role in (Role.HQ, Role.AUDITOR):
        found.append(("/notifications", "notifications"))
        found.append(("/accounts", "accounts"))
        found.append(("/audit", "audit"))
    return found


async def signed_in(request: Request) -> Principal:
    """The person behind the session cookie, or SignInFirstError."""
    ctx = context(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInFirstError
    try:
        found = await auth.from_session(ctx.services, token, None, policy=ctx.policy)
    except NotSignedInError:
        raise SignInFirstError from None
    ctx.limiter.check(f"account:{found.account.account_id}")
    request.state.account = found.account.account_id
    return found


Viewer = Annotated[Principal, Depends(signed_in)]
Context = Annotated[ApiContext, Depends(context)]


async def posted(request: Request, viewer: Principal | None = None) -> FormData:
    """A form sent from phancong's own pages: the session's CSRF token in it, and, where the browser says where the
    request comes from, from this site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        raise PhancongError("a form of phancong is sent from phancong's own pages", code="csrf_failed")
    form = await request.form()
    if viewer is not None:
        given = str(form.get("csrf", ""))
        if not (viewer.csrf and given and hmac.compare_digest(given.encode(), viewer.csrf.encode())):
            raise PhancongError("the form is stale or not from this session; reload the page", code="csrf_failed")
    return form


async def uploaded_file(
    form: FormData, field: str, *, noun: str, kinds: str, default: str, carried: bytes = b"", carried_name: str = ""
) -> tuple[bytes, str]:
    """The bytes and (base) name of the file uploaded in ``field``, or of the one ``carried`` through a preview;
    refused when there is none or it is over the files' size limit."""
    upload = form.get(field)
    limit = DEFAULT_LIMITS.max_bytes
    if isinstance(upload, UploadFile) and upload.filename:
        data, name = await upload.read(limit + 1), upload.filename
    else:
        data, name = carried, carried_name
    if not data.strip():
        raise InvalidInputError(f"choose the {noun} ({kinds})")
    if len(data) > limit:
        raise InvalidInputError(f"a {noun} holds at most {limit:,} bytes")
    return data, PurePath(name).name[:120] or default


def refusal(failure: Exception) -> tuple[int, str, str]:
    """(status, code, message) of a refusal, as the API answers it; a defect raises on."""
    found = refusal_of(failure)
    if found is None:
        raise failure
    return STATUS_OF.get(found.code, 400), found.code, str(found)


def sign_in_page(request: Request) -> Response:
    """Where a request without a session goes (htmx: the whole page goes)."""
    target = "/sign-in?next=" + quote(request.url.path, safe="/")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def back_to(request: Request, default: str) -> str:
    """A local path to return to (never another site)."""
    wanted = str(request.query_params.get("next", "")) or default
    return wanted if wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted else default


Handler = Callable[..., Any]


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A refusal of a page (not of a form, which shows it next to its fields)."""
    return render(request, "message.html", None, http_status=status, heading="refused", message=message)
