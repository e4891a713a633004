"""Refusals as RFC 9457 problem details (``application/problem+json``) with the same stable ``code`` as the CLI's,
and the one table from code to HTTP status (the README prints it)."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from temporalio.service import RPCError

from domain.bounds import OutOfBoundsError
from domain.errors import PhancongError, invalid_input

PROBLEM_JSON = "application/problem+json"

# Every code phancong refuses with, and its status. A code not here is 400 (tests/api keeps this table whole).
STATUS_OF: dict[str, int] = {
    "invalid_input": 400,
    "invalid_directive": 400,
    "invalid_directory": 400,
    "invalid_file": 400,
    "invalid_actor": 400,
    "date_out_of_range": 400,
    "unknown_reference": 400,
    "scope_required": 400,
    "second_factor_required": 400,
    "idempotency_key_required": 400,
    "not_signed_in": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "out_of_scope": 403,
    "csrf_failed": 403,
    "account_locked": 403,
    "account_disabled": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "command_rejected": 409,
    "wrong_state": 409,
    "already_done": 409,
    "already_exists": 409,
    "already_issued": 409,
    "concurrency_conflict": 409,
    "event_id_conflict": 409,
    "request_in_progress": 409,
    "enrolment_closed": 410,
    "too_large": 413,
    "unsupported_media_type": 415,
    "idempotency_key_reused": 422,
    "busy": 429,
    "rate_limited": 429,
    "too_many_attempts": 429,
    "internal_error": 500,
    "not_recorded": 503,
    "database_unreachable": 503,
    "temporal_unreachable": 503,
    "unavailable": 503,
}

TITLES: dict[int, str] = {
    400: "The request is not valid",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflicts with the current state",
    410: "No longer available",
    413: "Too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable; try again",
}


class Problem(BaseModel):
    """RFC 9457 problem details, with phancong's stable ``code`` (the CLI prints the same)."""

    type: str = Field("about:blank", description="Always about:blank: ``code`` names the problem.")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable: clients match on it (the README lists every code and its status).")
    instance: str | None = None


def status_of(code: str) -> int:
    return STATUS_OF.get(code, 400)


def problem(
    code: str, detail: str, *, instance: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    status = status_of(code)
    body = Problem(title=TITLES.get(status, "Refused"), status=status, detail=detail, code=code, instance=instance)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of the problems a route may answer with (the app adds ``Problem`` to the
    schemas)."""
    return {
        status: {"description": TITLES[status], "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
        for status in sorted(statuses)
    }


# What any route may answer besides its own result: bad input, not signed in, not allowed, too large, too many,
# the servers behind it unreachable, and (never, if phancong is right) an internal error.
COMMON = (400, 401, 403, 413, 415, 429, 500, 503)


def refusal_of(failure: BaseException) -> PhancongError | None:
    """The refusal a failure stands for (None: a defect, answered as ``internal_error``)."""
    match failure:
        case PhancongError():
            return failure
        case ValidationError():
            return invalid_input(failure)
        case OutOfBoundsError():
            return PhancongError(str(failure), code="invalid_input")
        case RPCError():
            return PhancongError(f"Temporal refused the call: {failure.message}", code="temporal_unreachable")
        case asyncpg.PostgresConnectionError() | asyncpg.InterfaceError() | asyncpg.CannotConnectNowError():
            return PhancongError("the database cannot be reached; try again", code="database_unreachable")
        case OSError() | ConnectionError():
            return PhancongError("a server phancong needs cannot be reached; try again", code="unavailable")
    return None


# The failures that are refusals (answered with their problem, not logged as errors).
REFUSALS: tuple[type[Exception], ...] = (
    PhancongError,
    ValidationError,
    OutOfBoundsError,
    RPCError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    OSError,
)
