"""The programme's work: tasks, assignments and their commands, directives, the directory, history, the report.

Every command of an assignment is a route of its own, made from the registry (``domain.decisions.COMMANDS``): its
body is the command's model without the actor (the caller's scope) and without its id (the Idempotency-Key's).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, create_model

from api import models
from api.idempotency import IdempotencyKey, once
from api.problems import COMMON, documented
from api.security import Caller, Context
from app import assignments, directives, directory, history, reports, tasks
from app.directory import ImportResult
from app.history import History, as_of_moment
from app.ports import DirectiveAnswer
from app.reports import Figures
from app.scopes import Subject
from directives.model import DirectiveFile
from directory.model import DirectoryFile
from domain.assignment import AssignmentState
from domain.bounds import business_date
from domain.commands import Command, CommandResult
from domain.decisions import COMMANDS, CommandKind
from domain.errors import InvalidInputError
from domain.tasks import Task
from wording.tasks import what

router = APIRouter()
AssignmentPath = Annotated[str, Path(min_length=1, max_length=260, description="directive:member:target")]
CodePath = Annotated[str, Path(min_length=1, max_length=60, description="A directive's code, e.g. 681-CT/ĐU")]
Cursor = Annotated[str | None, Query(max_length=400)]
Unit = Annotated[str | None, Query(max_length=80)]


class TaskView(Task):
    what: str


@router.get("/tasks", tags=["work"], responses=documented(*COMMON), response_model=list[TaskView])
async def open_tasks(ctx: Context, caller: Caller) -> list[TaskView]:
    """The caller's open tasks, overdue first (HQ and auditors: everyone's overdue ones), worded in the account's
    language."""
    found = await tasks.tasks(ctx.services, caller.actor)
    language = caller.account.language
    return [TaskView(**t.model_dump(), what=what(t, language)) for t in found]


@router.get(
    "/assignments",
    tags=["assignments"],
    responses=documented(*COMMON),
    response_model=models.Page[models.AssignmentRow],
)
async def assignment_list(
    ctx: Context,
    caller: Caller,
    directive: Annotated[str | None, Query(max_length=60)] = None,
    post: Unit = None,
    commune: Unit = None,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=assignments.MAX_PAGE)] = 100,
) -> models.Page[models.AssignmentRow]:
    """The assignments the caller may see (HQ and auditors: all), by id, a page at a time."""
    after = models.from_cursor("assignments", cursor, str)
    rows = await assignments.listed(
        ctx.services,
        caller.actor,
        directive=directive,
        post=post,
        commune=commune,
        stage=stage,
        after=after,
        limit=limit,
    )
    items = [models.AssignmentRow.model_validate(r) for r in rows]
    more = len(items) == limit
    return models.Page(
        items=items, next_cursor=models.cursor_of("assignments", items[-1].assignment_id) if more else None
    )


@router.get(
    "/assignments/{assignment_id:path}/state",
    tags=["assignments"],
    responses=documented(*COMMON, 404),
    response_model=AssignmentState,
)
async def assignment_show(assignment_id: AssignmentPath, ctx: Context, caller: Caller) -> AssignmentState:
    """The assignment as it stands: the fold of its events (for whoever may read its history)."""
    return await assignments.show(ctx.services, caller.actor, assignment_id)


def body_of(kind: CommandKind) -> type[BaseModel]:
    """The request body of a command: its model's fields but the actor and the command's id."""
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in kind.model.model_fields.items()
        if name not in Command.model_fields
    }
    model: type[BaseModel] = create_model(
        "".join(part.title() for part in kind.name.split("_")),
        __config__=ConfigDict(extra="forbid"),
        __doc__=kind.summary,
        **fields,
    )
    return model


def _command_route(kind: CommandKind) -> None:
    body_model = body_of(kind)

    async def send(
        assignment_id: AssignmentPath,
        request: Request,
        ctx: Context,
        caller: Caller,
        body: Any = Body(),
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        async def run(command_id: UUID) -> CommandResult:
            command = kind.model.model_validate({**body.model_dump(), "actor": caller.actor, "command_id": command_id})
            return await assignments.command(ctx.services, assignment_id, command)

        return await once(request, ctx, caller, key, run)

    send.__annotations__["body"] = body_model
    router.add_api_route(
        f"/assignments/{{assignment_id:path}}/{kind.name.replace('_', '-')}",
        send,
        methods=["POST"],
        name=kind.name,
        summary=kind.summary,
        tags=["assignments"],
        response_model=CommandResult,
        responses=documented(*COMMON, 404, 409, 422),
    )


for _kind in COMMANDS:
    _command_route(_kind)


@router.get("/directives", tags=["directives"], responses=documented(*COMMON), response_model=list[models.DirectiveRow])
async def directive_list(ctx: Context, caller: Caller) -> list[models.DirectiveRow]:
    """The directives the caller takes part in (HQ and auditors: every one), newest first."""
    return [models.DirectiveRow.model_validate(d) for d in await directives.listed(ctx.services, caller.actor)]


@router.get(
    "/directives/{code:path}/status",
    tags=["directives"],
    responses=documented(*COMMON, 404),
    response_model=models.DirectiveStatus,
)
async def directive_status(code: CodePath, ctx: Context, caller: Caller) -> models.DirectiveStatus:
    """A directive's coverage, nominations and open requests (HQ, auditors, its posts)."""
    return models.DirectiveStatus.model_validate(await directives.status(ctx.services, caller.actor, code))


@router.post(
    "/directives",
    tags=["directives"],
    status_code=201,
    responses=documented(*COMMON, 409, 422),
    response_model=directives.Issued,
)
async def directive_issue(
    body: DirectiveFile, request: Request, ctx: Context, caller: Caller, key: IdempotencyKey = None
) -> JSONResponse:
    """HQ issues a directive (the directive file's content, as JSON): checked against the directory and started;
    issuing the same directive again changes nothing."""

    async def run(_: UUID) -> directives.Issued:
        source = f"api:{hashlib.sha256(await request.body()).hexdigest()[:12]}"
        return await directives.issue(ctx.services, caller.actor, body, source)

    return await once(request, ctx, caller, key, run, status=201)


@router.post(
    "/directives/{code:path}/nominations",
    tags=["directives"],
    responses=documented(*COMMON, 404, 409, 422),
    response_model=models.NominationAnswer,
)
async def directive_nominate(
    code: CodePath, body: models.Nominate, request: Request, ctx: Context, caller: Caller, key: IdempotencyKey = None
) -> JSONResponse:
    """A post nominates members of its own for cells (or household groups) under a directive."""

    async def run(command_id: UUID) -> models.NominationAnswer:
        requests = [
            directives.NominationRequest(
                member_id=n.member_id,
                cell_id=n.cell_id,
                household_ids=tuple(n.household_ids),
                household_group_id=n.household_group_id,
            )
            for n in body.items
        ]
        done = await directives.nominate(
            ctx.services, caller.actor, code, body.resolution, requests, command_id=command_id
        )
        return models.NominationAnswer(
            directive_id=done.answer.directive_id,
            assignment_ids=list(done.answer.assignment_ids),
            introduced=sorted(done.introduced),
        )

    return await once(request, ctx, caller, key, run)


@router.post(
    "/directives/{code:path}/amend",
    tags=["directives"],
    responses=documented(*COMMON, 404, 409, 422),
    response_model=models.DirectiveAnswer,
)
async def directive_amend(
    code: CodePath, body: models.Amend, request: Request, ctx: Context, caller: Caller, key: IdempotencyKey = None
) -> JSONResponse:
    """HQ amends a running directive: cells in or out, a new end of term."""

    async def run(command_id: UUID) -> models.DirectiveAnswer:
        end = _day(body.term_ends_on, "term_ends_on") if body.term_ends_on else None
        answer = await directives.amend(
            ctx.services, caller.actor, code, add_cells=body.add_cells, remove_cells=body.remove_cells,
            term_ends_on=end, note=body.note, command_id=command_id,
        )  # fmt: skip
        return _answered(answer)

    return await once(request, ctx, caller, key, run)


@router.post(
    "/directives/{code:path}/close",
    tags=["directives"],
    responses=documented(*COMMON, 404, 409, 422),
    response_model=models.DirectiveAnswer,
)
async def directive_close(
    code: CodePath, body: models.Reason, request: Request, ctx: Context, caller: Caller, key: IdempotencyKey = None
) -> JSONResponse:
    """HQ closes a directive now; its open assignments end as term_completed."""

    async def run(command_id: UUID) -> models.DirectiveAnswer:
        return _answered(await directives.close(ctx.services, caller.actor, code, body.reason, command_id=command_id))

    return await once(request, ctx, caller, key, run)


def _answered(answer: DirectiveAnswer) -> models.DirectiveAnswer:
    return models.DirectiveAnswer(directive_id=answer.directive_id, version=answer.version, events=list(answer.events))


def _day(text: str, what: str) -> date:
    try:
        return business_date(date.fromisoformat(text), what)
    except ValueError as refused:
        raise InvalidInputError(f"{what}: {refused}") from None


@router.get("/directory", tags=["directory"], responses=documented(*COMMON), response_model=dict[str, int])
async def directory_counts(ctx: Context, caller: Caller) -> dict[str, int]:
    """How many communes, cells, posts, members and households the directory holds."""
    return dict(sorted((await directory.counts(ctx.services, caller.actor)).items()))


@router.post("/directory", tags=["directory"], responses=documented(*COMMON, 409, 422), response_model=ImportResult)
async def directory_import(
    body: DirectoryFile, request: Request, ctx: Context, caller: Caller, key: IdempotencyKey = None
) -> JSONResponse:
    """HQ makes the stored directory this file's content (as JSON): every entry added, changed or removed is an
    event."""

    async def run(_: UUID) -> ImportResult:
        digest = hashlib.sha256(await request.body()).hexdigest()
        return await directory.import_directory(ctx.services, caller.actor, body, digest, "api")

    return await once(request, ctx, caller, key, run)


@router.post(
    "/households/{household_id}/erase",
    tags=["directory"],
    responses=documented(*COMMON, 404, 409, 422),
    response_model=directory.Erasure,
)
async def household_erase(
    household_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: models.Reason,
    request: Request,
    ctx: Context,
    caller: Caller,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """HQ erases a household's head, denomination and sensitive tags by destroying its data key: every event stays
    and verifies, and reads them as erased from now on. It cannot be undone; a second erasure is `wrong_state`."""

    async def run(_: UUID) -> directory.Erasure:
        return await directory.erase_household(ctx.services, caller.actor, household_id, body.reason)

    return await once(request, ctx, caller, key, run)


@router.get(
    "/history/{subject}/{subject_id:path}", tags=["history"], responses=documented(*COMMON, 404), response_model=History
)
async def subject_history(
    subject: Subject,
    subject_id: Annotated[str, Path(min_length=1, max_length=260)],
    ctx: Context,
    caller: Caller,
    as_of: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD or an ISO instant")] = None,
    on: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD: events that happened by then")] = None,
) -> History:
    """The timeline of a member, cell, directive or assignment, as the record stood ``as_of`` (recording time) and
    ``on`` a business date."""
    moment = as_of_moment(as_of) if as_of else None
    day = _day(on, "on") if on else None
    return await history.history(ctx.services, caller.actor, subject, subject_id, moment, on=day)


@router.get("/report", tags=["report"], responses=documented(*COMMON), response_model=Figures)
async def report(
    ctx: Context,
    caller: Caller,
    directive: Annotated[str | None, Query(max_length=60)] = None,
    post: Unit = None,
    commune: Unit = None,
    start: Annotated[str | None, Query(alias="from", max_length=10, description="YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10, description="YYYY-MM-DD")] = None,
    as_of: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD or an ISO instant")] = None,
) -> Figures:
    """HQ's report over a period: HQ and auditors on anything, a post on its own members, a commune on itself;
    ``as_of``: as it could have been printed then (the events recorded before that instant)."""
    return await reports.report(
        ctx.services,
        caller.actor,
        directive=directive,
        post=post,
        commune=commune,
        start=_day(start, "from") if start else None,
        end=_day(end, "to") if end else None,
        as_of=as_of_moment(as_of) if as_of else None,
    )
