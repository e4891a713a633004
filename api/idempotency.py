"""Idempotency-Key: a command sent twice with the same key and the same body is applied once and answered with
the first answer; the same key with another body is refused.

The key also names the command (``command_id``): were the first answer lost with the process that made it, the
workflows still apply the command once (they deduplicate on its id). A refusal (4xx) is an answer like any other;
a failure of the servers behind (5xx) frees the key, so the client can try again.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.problems import PROBLEM_JSON, problem, refusal_of, status_of
from api.security import ApiContext
from app.accounts import need_credentials
from app.auth import Principal
from domain.errors import PhancongError

KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
NAMESPACE = uuid.UUID("2f6b3c1e-8a4d-5b7e-9c0f-61706970686e")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Required on commands: a unique string per intended change (a UUID). Sent again with the same "
        "body, the command is applied once and the first answer returned.",
    ),
]


def command_id(account_id: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{account_id}\0{key}")


async def once(
    request: Request,
    ctx: ApiContext,
    caller: Principal,
    key: str | None,
    run: Callable[[uuid.UUID], Awaitable[Any]],
    *,
    status: int = 200,
) -> JSONResponse:
    if key is None or not KEY.match(key):
        raise PhancongError(
            "a command carries an Idempotency-Key header (1 to 200 printable ASCII characters, e.g. a UUID)",
            code="idempotency_key_required",
        )
    account_id = caller.account.account_id
    body = await request.body()
    digest = hashlib.sha256(b"\0".join([request.method.encode(), request.url.path.encode(), body])).digest()
    credentials = need_credentials(ctx.services)
    claim = await credentials.claim_key(account_id, key, digest, ctx.services.clock.now())
    if claim.outcome == "mismatch":
        raise PhancongError("this Idempotency-Key was used with another request", code="idempotency_key_reused")
    if claim.outcome == "running":
        raise PhancongError("the first request with this Idempotency-Key is still running", code="request_in_progress")
    if claim.outcome == "done":
        media = PROBLEM_JSON if (claim.status or 200) >= 400 else "application/json"
        return JSONResponse(
            claim.response, status_code=claim.status or 200, media_type=media, headers={"Idempotent-Replayed": "true"}
        )
    try:
        result = await run(command_id(account_id, key))
    except Exception as failed:
        refused = refusal_of(failed)
        if refused is None or status_of(refused.code) >= 500:
            await credentials.release_key(account_id, key)
            raise
        answer = problem(refused.code, refused.message, instance=request.url.path)
        await credentials.finish_key(account_id, key, answer.status_code, json.loads(bytes(answer.body)))
        return answer
    except BaseException:
        await credentials.release_key(account_id, key)
        raise
    content = jsonable_encoder(result)
    await credentials.finish_key(account_id, key, status, content)
    return JSONResponse(content, status_code=status)
