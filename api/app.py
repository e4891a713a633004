"""The HTTP API (``/api/v1``): one more thin adapter of the application layer, with real accounts.

``create_app`` takes how to build its context (the services, settings, sign-in policy and rate limiter):
``phancong serve`` opens them on PostgreSQL and Temporal (``api.serve``); the tests hand in their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import account_routes, codec_routes, operations_routes, session_routes, work_routes
from api.links import PREFIX
from api.problems import REFUSALS, STATUS_OF, Problem, problem, refusal_of
from api.security import ApiContext, RateLimitedError
from app.auth import TooManyAttemptsError
from web import install as install_web
from web.frame import error_page as web_error

log = structlog.get_logger("phancong.api")

# Files uploaded whole (a directive, the directory) may be as large as the files the CLI reads.
FILE_ROUTES = frozenset({f"{PREFIX}/directives", f"{PREFIX}/directory"})
WEB_FILE_ROUTES = frozenset({"/directives/new", "/directory"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Limits:
    """Refuse a request body over its limit (413) and a body that is not JSON (415), before any route reads it."""

    def __init__(self, app: ASGIApp, max_body: Callable[[], int], max_file: Callable[[], int]) -> None:
        self.app, self.max_body, self.max_file = app, max_body, max_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = self.max_file() if scope["path"] in FILE_ROUTES else self.max_body()
        if not scope["path"].startswith(PREFIX):  # the web app's forms: any size limit, not JSON
            limit = self.max_file() if scope["path"] in WEB_FILE_ROUTES else self.max_body()
            await self._counted(scope, receive, send, limit)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _answer(scope, receive, send, "too_large", f"a request body holds at most {limit:,} bytes")
            return
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if (length not in ("", "0") or "transfer-encoding" in headers) and not (
            kind == "application/json" or kind.endswith("+json")
        ):
            await _answer(scope, receive, send, "unsupported_media_type", "send the body as application/json")
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLargeError:
            await _answer(scope, receive, send, "too_large", f"a request body holds at most {limit:,} bytes")


class _TooLargeError(Exception):
    pass


async def _answer(scope: Scope, receive: Receive, send: Send, code: str, detail: str) -> None:
    await problem(code, detail, instance=scope["path"])(scope, receive, send)


def codec_origin(ctx: ApiContext, request: Request) -> str | None:
    """The configured Temporal Web UI's origin, when this request to the codec endpoint comes from it."""
    origin = request.headers.get("Origin")
    wanted = ctx.settings.codec_cors_origin
    if wanted and origin == wanted and request.url.path.startswith(f"{PREFIX}/codec/"):
        return wanted
    return None


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Namespace",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


# Secrets travel in these path segments (enrolment links): the log shows the route, never the secret.
SECRET_PATHS = (f"{PREFIX}/enrolment/", "/enrol/")


def loggable(path: str) -> str:
    for prefix in SECRET_PATHS:
        if path.startswith(prefix):
            return prefix + "…"
    return path


def create_app(
    opened: Callable[[], AbstractAsyncContextManager[ApiContext]],
    *,
    max_body: Callable[[ApiContext], int] = lambda c: c.settings.max_body_bytes,
    max_file: Callable[[ApiContext], int] = lambda c: c.settings.max_file_bytes,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A server's access log would write every path, enrolment links' secrets among them: phancong logs each
        # request itself (``record`` below), with those left out.
        logging.getLogger("uvicorn.access").disabled = True
        async with opened() as ctx:
            app.state.phancong = ctx
            yield

    app = FastAPI(
        title="phancong",
        version="1",
        summary="Border-post party members in village party cells and households: the API of every officer.",
        description=(
            "Every command and query of phancong. Sign in (`POST /api/v1/session`) for a session cookie, or send a "
            "personal API token (`Authorization: Bearer pct_…`). Commands are `POST` with an `Idempotency-Key`. "
            "Refusals are RFC 9457 problem details whose `code` is stable (the same as the CLI's)."
        ),
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    routers = (session_routes, account_routes, work_routes, operations_routes, codec_routes)
    for router in (r.router for r in routers):
        app.include_router(router, prefix=PREFIX)

    def current(scope_app: Any) -> ApiContext:
        found = scope_app.state.phancong
        assert isinstance(found, ApiContext)
        return found

    app.add_middleware(Limits, max_body=lambda: max_body(current(app)), max_file=lambda: max_file(current(app)))

    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Any]) -> Response:
        started = time.perf_counter()
        allowed = codec_origin(current(app), request)
        if allowed and request.method == "OPTIONS":  # the Web UI's preflight: no credentials in it
            return Response(status_code=204, headers=cors_headers(allowed))
        response: Response = await call_next(request)
        if allowed:
            response.headers.update(cors_headers(allowed))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith(PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")
        log.info(
            "request",
            method=request.method,
            path=loggable(request.url.path),
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
            account=getattr(request.state, "account", None),
        )
        return response

    _refusals(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
            _problems_for_validation(schema)
            _uniform_tuples(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _docs(app)
    install_web(app)
    return app


def _refusals(app: FastAPI) -> None:
    """Every refusal answered in the caller's terms: a problem (API), a page (web)."""

    async def refused(request: Request, failure: Exception) -> Response:
        found = refusal_of(failure)
        if not request.url.path.startswith(PREFIX):
            if found is None:
                log.error("page failed", path=loggable(request.url.path), exc_info=failure)
                return web_error(request, 500, "phancong failed to answer; the error is logged")
            return web_error(request, STATUS_OF.get(found.code, 400), str(found))
        if found is None:  # a defect: answered here, and logged with its traceback by the server
            return problem(
                "internal_error", "phancong failed to answer; the error is logged", instance=request.url.path
            )
        headers = {}
        if isinstance(failure, TooManyAttemptsError | RateLimitedError):
            headers["Retry-After"] = str(failure.retry_after)
        elif found.code in ("busy", "not_recorded", "temporal_unreachable", "database_unreachable", "unavailable"):
            headers["Retry-After"] = "2"
        if found.code in ("not_signed_in", "invalid_credentials"):
            headers["WWW-Authenticate"] = 'Bearer realm="phancong"'
        return problem(found.code, found.message, instance=request.url.path, headers=headers)

    for refusal in REFUSALS:  # answered where they are raised; only a defect reaches the server's error log
        app.add_exception_handler(refusal, refused)
    app.add_exception_handler(Exception, refused)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, failure: RequestValidationError) -> Response:
        problems = []
        for error in failure.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            why = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append(f"{where}: {why}" if where else why)
        return problem("invalid_input", "; ".join(problems) or "invalid input", instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, failure: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(PREFIX):
            return web_error(request, failure.status_code, str(failure.detail))
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(failure.status_code, "invalid_input")
        detail = {404: "no such route", 405: "this route does not take that method"}.get(
            failure.status_code, str(failure.detail)
        )
        return problem(code, detail, instance=request.url.path)


def _problems_for_validation(schema: dict[str, Any]) -> None:
    """Bad input is answered 400 with a problem, never FastAPI's 422 list: say so in every operation."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            if "HTTPValidationError" in str(responses.get("422", "")):
                del responses["422"]
    schemas = schema.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def _uniform_tuples(node: Any) -> None:
    """A tuple of values of one type (``[covered, in scope]``) as an array of that type with its length: the same
    answers, in the form every OpenAPI tool reads (some misread ``prefixItems``)."""
    if isinstance(node, dict):
        items = node.get("prefixItems")
        if isinstance(items, list) and items and all(item == items[0] for item in items):
            node["items"] = node.pop("prefixItems")[0]
        for value in node.values():
            _uniform_tuples(value)
    elif isinstance(node, list):
        for value in node:
            _uniform_tuples(value)


def _docs(app: FastAPI) -> None:
    """Interactive documentation at /api/v1/docs, served by phancong itself (no CDN)."""
    static = resources.files("swagger_ui").joinpath("static")
    app.mount(f"{PREFIX}/docs/static", StaticFiles(directory=str(static)), name="docs-static")

    @app.get(f"{PREFIX}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>phancong API</title>
<link rel="stylesheet" href="{PREFIX}/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{PREFIX}/docs/static/swagger-ui-bundle.js"></script>
<script src="{PREFIX}/docs/init.js"></script></body></html>"""
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
            },
        )

    @app.get(f"{PREFIX}/docs/init.js", include_in_schema=False)
    async def init() -> PlainTextResponse:
        script = (
            f'window.ui = SwaggerUIBundle({{url: "{PREFIX}/openapi.json", dom_id: "#swagger-ui", deepLinking: true, '
            "withCredentials: true, presets: [SwaggerUIBundle.presets.apis]});\n"
        )
        return PlainTextResponse(script, media_type="text/javascript")
