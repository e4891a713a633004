"""The API as its users reach it: over HTTP (httpx), served by uvicorn in the test, on a real PostgreSQL and a
time-skipping Temporal server with a worker in the test; people with accounts of their own."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import worker
from api.app import create_app
from api.security import ApiContext, ApiSettings, RateLimiter
from app import accounts
from app.auth import AuthPolicy
from app.services import Services
from domain.actors import Actor, Role
from events import EventStore
from gateway import Connection
from infra.postgres import Pool
from phancong.api_server import SignalFreeServer
from phancong.composition import import_directory, postgres_services
from phancong.settings import Settings
from tests.workflows.driver import Harness

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
HQ = Actor(role=Role.HQ)


# Cheap argon2id parameters: the suite signs in hundreds of times (production keeps argon2-cffi's).
def fast_settings(task_queue: str) -> Settings:
    return Settings(task_queue=task_queue, argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1)


class MovableClock:
    """The API's clock: the test sets it (to the time-skipping server's time, or past a session's expiry)."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def move(self, by: timedelta) -> None:
        self.instant += by


@contextlib.asynccontextmanager
async def served(ctx: ApiContext) -> AsyncIterator[str]:
    """The API on a free port of 127.0.0.1 until the block ends; its base URL."""

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[ApiContext]:
        yield ctx

    app = create_app(opened)
    server = SignalFreeServer(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on", ws="none")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "the API did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Person:
    """Someone signed in to their own account, with the session's cookie and CSRF token."""

    login: str
    password: str
    secret: str | None
    http: httpx.AsyncClient
    csrf: str = ""
    scopes: list[str] = field(default_factory=list)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params={k: v for k, v in params.items() if v is not None})

    async def post(
        self, path: str, body: Any = None, *, key: str | None = "new", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        sent = {"X-CSRF-Token": self.csrf} | (headers or {})
        if key is not None:
            sent["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
        return await self.http.post(path, json=body, headers=sent)


@dataclass
class Api:
    base: str
    clock: MovableClock
    services: Services
    harness: Harness
    ctx: ApiContext
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        http = httpx.AsyncClient(base_url=f"{self.base}/api/v1", timeout=60)
        self.clients.append(http)
        return http

    async def sync_clock(self) -> None:
        """The API's now is the Temporal server's now (after the test let time pass)."""
        self.clock.instant = await self.harness.now()

    def code(self, secret: str) -> str:
        """The authenticator's code at the API's now."""
        return pyotp.TOTP(secret).at(self.clock.now())

    async def enrol(self, login: str, name: str, scopes: list[str], password: str) -> str | None:
        """An account HQ made, enrolled over HTTP (with a second factor when its scopes require one); its key."""
        made = await accounts.create(self.services, HQ, login, name, scopes)
        http = self.client()
        view = (await http.get(f"/enrolment/{made.token}")).json()
        code = self.code(view["totp_secret"]) if view["second_factor_required"] else None
        done = await http.post(f"/enrolment/{made.token}", json={"password": password, "code": code})
        assert done.status_code == 200, done.text
        return str(view["totp_secret"]) if code else None

    async def sign_in(self, login: str, password: str, secret: str | None, scope: str | None = None) -> Person:
        http = self.client()
        answer = await http.post(
            "/session",
            json={"login": login, "password": password, "code": self.code(secret) if secret else None, "scope": scope},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return Person(login, password, secret, http, body["csrf_token"], body["scopes"])

    async def person(self, login: str, *scopes: str, name: str | None = None) -> Person:
        password = f"mật khẩu thật dài số {len(login) * 7919}"
        secret = await self.enrol(login, name or f"Cán bộ {login}", list(scopes), password)
        return await self.sign_in(login, password, secret)


def api_context(services: Services, *, per_minute: int = 100_000, policy: AuthPolicy | None = None) -> ApiContext:
    return ApiContext(
        services,
        ApiSettings(
            base_url="http://phancong.test", secure_cookies=False, max_body_bytes=1024 * 1024, max_file_bytes=10 << 20
        ),
        policy or AuthPolicy(),
        RateLimiter(per_minute),
    )


@pytest.fixture
async def api(env: WorkflowEnvironment, domain_store: EventStore, pool: Pool) -> AsyncIterator[Api]:
    task_queue = f"api-{uuid.uuid4()}"
    harness = Harness(env, domain_store, pool, task_queue)
    clock = MovableClock(await harness.now())

    async def temporal() -> Client:
        return env.client

    settings = fast_settings(task_queue)
    services = postgres_services(pool, domain_store, Connection(temporal), settings=settings, clock=clock)
    await import_directory(pool, domain_store, EXAMPLES / "directory.yaml", HQ, clock.now())
    ctx = api_context(services)
    async with worker.running(env.client, task_queue, domain_store, pool), served(ctx) as base:
        ctx.settings = replace(ctx.settings, base_url=base)  # the links the API gives name where it is served
        found = Api(base, clock, services, harness, ctx)
        try:
            yield found
        finally:
            for http in found.clients:
                await http.aclose()
