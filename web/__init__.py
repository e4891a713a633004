"""The web app: server-rendered pages (Jinja2, htmx) over the application layer, in Vietnamese or English, served
by the same process, behind the same accounts, as the API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from web import hq, read, session, work
from web.frame import HERE, SignInFirstError, sign_in_page


def install(app: FastAPI) -> None:
    for router in (session.router, work.router, hq.router, read.router):
        app.include_router(router)
    # Only the static files are compressed: a page holds the session's CSRF token beside what a request echoes,
    # which compression would let an eavesdropper guess (BREACH).
    app.mount("/static", GZipMiddleware(StaticFiles(directory=HERE / "static"), minimum_size=500), name="static")

    @app.exception_handler(SignInFirstError)
    async def sign_in_first(request: Request, _: SignInFirstError) -> Response:
        return sign_in_page(request)
