"""Who calls: a session cookie (with its CSRF token on unsafe methods) or a personal API token (``Authorization:
Bearer``), the scope the request acts in, and how often an account (or an address) may call."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from temporalio.converter import PayloadCodec

from app import auth
from app.auth import AuthPolicy, Principal
from app.services import Services
from domain.errors import PhancongError

COOKIE = "phancong_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="A personal API token (POST /api/v1/tokens), `pct_…`.")
cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="The session a sign-in sets (HttpOnly).")


class RateLimitedError(PhancongError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class RateLimiter:
    """At most ``per_minute`` requests per key (an account, or a client address before signing in) in each
    minute; counted in this process."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def check(self, key: str) -> None:
        now = self.clock()
        minute = int(now // 60)
        start, count = self._windows.get(key, (minute, 0))
        if start != minute:
            start, count = minute, 0
            if len(self._windows) > 100_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == minute}
        if count >= self.per_minute:
            raise RateLimitedError(
                f"more than {self.per_minute} requests in a minute; slow down", max(1, int(60 - now % 60))
            )
        self._windows[key] = (start, count + 1)


@dataclass(frozen=True)
class ApiSettings:
    """What the API needs of the deployment's settings."""

    base_url: str  # where people reach the service (enrolment links name it)
    secure_cookies: bool  # served over TLS (directly, or behind a proxy that is)
    max_body_bytes: int
    max_file_bytes: int  # a directive or the directory, uploaded whole
    payload_codec: PayloadCodec | None = None  # the deployment's Temporal codec, when payloads are encrypted
    codec_cors_origin: str | None = None  # the Temporal Web UI's origin, allowed to call the codec endpoint


@dataclass
class ApiContext:
    services: Services
    settings: ApiSettings
    policy: AuthPolicy
    limiter: RateLimiter


def set_session_cookie(response: Response, ctx: ApiContext, session_token: str) -> None:
    """The session cookie a sign-in sets, for the API and the web app alike."""
    response.set_cookie(
        COOKIE,
        session_token,
        max_age=int(ctx.policy.session_absolute.total_seconds()),
        httponly=True,
        secure=ctx.settings.secure_cookies,
        samesite="strict",
        path="/",
    )


def context(request: Request) -> ApiContext:
    found = request.app.state.phancong
    assert isinstance(found, ApiContext)
    return found


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


ScopeHeader = Annotated[
    str | None,
    Header(
        alias="Phancong-Scope",
        max_length=200,
        description="The scope this request acts in (role[:id]), when the account holds several.",
    ),
]
CsrfHeader = Annotated[
    str | None,
    Header(alias="X-CSRF-Token", max_length=200, description="With a session cookie, on POST: the session's token."),
]


async def principal(
    request: Request,
    ctx: Annotated[ApiContext, Depends(context)],
    scope: ScopeHeader = None,
    csrf: CsrfHeader = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    session: Annotated[str | None, Depends(cookie)] = None,
) -> Principal:
    """The caller, proven by an API token or a session (whose CSRF token an unsafe method must carry)."""
    if token is not None:
        found = await auth.from_token(ctx.services, token.credentials, scope)
    elif session:
        found = await auth.from_session(ctx.services, session, scope, policy=ctx.policy)
        if request.method not in SAFE_METHODS and not (csrf and found.csrf and auth.same_secret(csrf, found.csrf)):
            raise PhancongError(
                "a request with a session cookie carries the session's X-CSRF-Token", code="csrf_failed"
            )
    else:
        raise auth.NotSignedInError("sign in (POST /api/v1/session) or send an API token (Authorization: Bearer)")
    ctx.limiter.check(f"account:{found.account.account_id}")
    request.state.account = found.account.account_id
    return found


Caller = Annotated[Principal, Depends(principal)]
Context = Annotated[ApiContext, Depends(context)]
Handler = Callable[[], Awaitable[object]]
