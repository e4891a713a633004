"""``phancong serve`` (and ``phancong run``): the API on uvicorn, its context opened on PostgreSQL and Temporal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
import uvicorn
from fastapi import FastAPI
from temporalio.client import Client

from api.app import create_app
from api.security import ApiContext, ApiSettings, RateLimiter
from app.auth import AuthPolicy
from app.ports import Clock
from events import EventStore
from events.catalog import REGISTRY
from gateway import Connection
from infra.postgres import create_pool
from phancong.composition import postgres_services
from phancong.settings import Settings

log = structlog.get_logger("phancong.api")


def policy_of(settings: Settings) -> AuthPolicy:
    return AuthPolicy(
        session_idle=timedelta(minutes=settings.session_idle_minutes),
        session_absolute=timedelta(hours=settings.session_hours),
        max_failures=settings.sign_in_max_failures,
        max_client_failures=settings.sign_in_max_client_failures,
    )


def api_settings(settings: Settings) -> ApiSettings:
    return ApiSettings(
        base_url=settings.base_url,
        secure_cookies=settings.served_over_tls,
        max_body_bytes=settings.api_max_body_bytes,
        max_file_bytes=settings.max_file_bytes,
        payload_codec=settings.data_converter().payload_codec if settings.payload_keys_file else None,
        codec_cors_origin=settings.codec_cors_origin,
    )


def api_of(
    settings: Settings, database_url: str, temporal: Callable[[], Awaitable[Client]], clock: Clock | None = None
) -> FastAPI:
    """The API over the database at ``database_url``, reaching Temporal through ``temporal`` (on first use)."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[ApiContext]:
        pool = await create_pool(database_url, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size)
        try:
            store = await EventStore.open(pool, REGISTRY)
            services = postgres_services(pool, store, Connection(temporal), settings=settings, clock=clock)
            yield ApiContext(
                services, api_settings(settings), policy_of(settings), RateLimiter(settings.api_requests_per_minute)
            )
        finally:
            await pool.close()

    return create_app(opened)


class SignalFreeServer(uvicorn.Server):
    """uvicorn, stopped by phancong's own stop event (the worker beside it shares the process's signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_api(app: FastAPI, settings: Settings, stop: asyncio.Event) -> None:
    """Serve ``app`` until ``stop`` is set (HTTPS when a certificate is configured)."""
    config = uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        ssl_certfile=str(settings.tls_certificate) if settings.tls_certificate else None,
        ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
        access_log=False,  # phancong logs each request itself, with secrets in paths left out
        log_config=None,
        server_header=False,
        proxy_headers=True,
        lifespan="on",
    )
    server = SignalFreeServer(config)

    async def stopper() -> None:
        await stop.wait()
        server.should_exit = True

    watching = asyncio.create_task(stopper())
    try:
        await server.serve()
    finally:
        watching.cancel()
    if not server.started:
        raise OSError(f"the API could not listen on {settings.api_host}:{settings.api_port}")
