"""Keeping phancong: notifications and dead letters, the record's integrity and exports, the read models; and the
service's health."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from api import models
from api.idempotency import IdempotencyKey, once
from api.problems import COMMON, documented
from api.security import Caller, Context
from app import audit, notifications, projections
from domain.bounds import directive_code

router = APIRouter()


@router.get(
    "/notifications", tags=["notifications"], responses=documented(*COMMON), response_model=list[dict[str, Any]]
)
async def notification_list(
    ctx: Context,
    caller: Caller,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead)$")] = None,
    recipient: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[dict[str, Any]]:
    """Notifications, newest first (HQ and auditors): ``status=dead`` for the dead letters."""
    rows = await notifications.listed(ctx.services, caller.actor, status=status, recipient=recipient, limit=limit)
    encoded: list[dict[str, Any]] = jsonable_encoder(rows)
    return encoded


class Retried(BaseModel):
    notification_id: str


@router.post(
    "/notifications/{notification_id}/retry",
    tags=["notifications"],
    responses=documented(*COMMON, 404, 409, 422),
    response_model=Retried,
)
async def notification_retry(
    notification_id: Annotated[str, Path(max_length=40)],
    request: Request,
    ctx: Context,
    caller: Caller,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """HQ tries a dead letter again (every attempt is recorded)."""

    async def run(_: Any) -> Retried:
        return Retried(notification_id=str(await notifications.retry(ctx.services, caller.actor, notification_id)))

    return await once(request, ctx, caller, key, run)


class SealView(BaseModel):
    seal_no: int
    position: int
    events: int
    hash: str


class Verification(BaseModel):
    ok: bool
    problems: list[str]
    seals: int | None
    events_sealed: int | None
    events_unsealed: int | None
    latest_seal: SealView | None
    log_problems: list[str]


def _seal(found: Any) -> SealView | None:
    if found is None:
        return None
    return SealView(seal_no=found.seal_no, position=found.position, events=found.events, hash=found.hash.hex())


@router.get("/audit/verify", tags=["audit"], responses=documented(*COMMON), response_model=Verification)
async def audit_verify(
    ctx: Context,
    caller: Caller,
    stream: Annotated[str | None, Query(max_length=300)] = None,
    expect_seal: Annotated[str | None, Query(max_length=64)] = None,
) -> Verification:
    """Recompute every stream's chain and every seal of the log; with ``expect_seal`` the record must still hold it
    (hashes only, never content)."""
    found = await audit.verify(ctx.services, stream, expect_seal)
    log = found.log
    return Verification(
        ok=found.ok,
        problems=[str(p) for p in found.problems],
        seals=log.seals if log else None,
        events_sealed=log.events_sealed if log else None,
        events_unsealed=log.events_unsealed if log else None,
        latest_seal=_seal(log.latest) if log else None,
        log_problems=found.log_problems,
    )


@router.post("/audit/seals", tags=["audit"], responses=documented(*COMMON), response_model=SealView | None)
async def audit_seal(ctx: Context, caller: Caller) -> SealView | None:
    """Seal the log now (HQ and auditors; the worker also does, every few minutes); null when nothing is new."""
    return _seal(await audit.seal(ctx.services, caller.actor))


@router.get(
    "/audit/exports/{directive:path}",
    tags=["audit"],
    responses={
        **documented(*COMMON, 404),
        200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
    },
    response_class=FileResponse,
)
async def audit_export(
    directive: Annotated[str, Path(min_length=1, max_length=60)], ctx: Context, caller: Caller
) -> FileResponse:
    """Every stream of a directive, whole, with its manifest and the offline verification script, as one zip
    (HQ and auditors)."""
    code = directive_code(directive, "directive")
    handle, name = tempfile.mkstemp(prefix="phancong-export-", suffix=".zip")
    os.close(handle)
    path = FilePath(name)
    try:
        await audit.archive(ctx.services, caller.actor, code, path)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    filename = "export-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in code) + ".zip"
    return FileResponse(
        path, media_type="application/zip", filename=filename, background=BackgroundTask(path.unlink, missing_ok=True)
    )


@router.get("/projections", tags=["read models"], responses=documented(*COMMON), response_model=dict[str, Any])
async def projections_status(ctx: Context, caller: Caller) -> dict[str, Any]:
    """The read models' position, how many events they have yet to apply, and what they could not apply."""
    return await projections.status(ctx.services, caller.actor)


@router.post(
    "/projections/rebuild", tags=["read models"], responses=documented(*COMMON, 409), response_model=dict[str, Any]
)
async def projections_rebuild(ctx: Context, caller: Caller) -> dict[str, Any]:
    """Replay the whole log into fresh read models and swap them in (HQ)."""
    result = await projections.rebuild(ctx.services, caller.actor)
    return {
        "events": result.events,
        "seconds": round(result.seconds, 3),
        "position": result.position,
        "tables": list(result.tables),
    }


@router.get("/health", tags=["service"], response_model=models.Health)
async def health() -> models.Health:
    """The API answers (no sign-in needed)."""
    return models.Health(status="ok")


@router.get("/ping", tags=["service"], responses=documented(*COMMON), response_model=models.Health)
async def ping(caller: Caller) -> models.Health:
    """An authenticated request that does nothing: the cost of the API itself (the benchmark's baseline)."""
    return models.Health(status="ok")
