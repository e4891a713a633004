"""Each person's work: the open tasks with their forms, an assignment's commands, a commune accepting several
introductions at once, a post nominating several members in one form."""

from __future__ import annotations

from typing import Any
from uuid import uuid4, uuid5

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app import assignments, directives, directory, tasks
from domain.actors import Role
from domain.assignment import AssignmentState
from domain.commands import AcceptAssignment
from domain.decisions import COMMANDS, CommandKind
from domain.errors import InvalidInputError, NotFoundError
from web import forms
from web.frame import Context, Viewer, back_to, posted, refusal, render
from wording.tasks import what

router = APIRouter(include_in_schema=False)
BY_NAME: dict[str, CommandKind] = {kind.name: kind for kind in COMMANDS}
FORMS = {kind.name: forms.fields_of(kind.model) for kind in COMMANDS}
# The commands a task's card offers, by the task's kind.
TASK_COMMANDS: dict[str, tuple[str, ...]] = {
    "commune_response": ("accept", "decline"),
    "meeting_record": ("record_meeting",),
    "appraisal": ("submit_appraisal",),
    "grade": ("grade",),
    "meeting": ("log_activity",),
}
MAX_ROWS = 30  # rows of one nomination form


def prefill(task: Any) -> dict[str, Any]:
    """What a task already knows of its command's fields."""
    found: dict[str, Any] = {}
    if task.meeting_on is not None and task.kind == "meeting_record":
        found["meeting_on"] = task.meeting_on.isoformat()
    if task.kind in ("appraisal", "grade") and task.reference:
        found["period"] = task.reference
    return found


@router.get("/tasks")
async def task_page(request: Request, ctx: Context, viewer: Viewer) -> Response:
    found = await tasks.tasks(ctx.services, viewer.actor)
    lang = "en" if viewer.account.language == "en" else "vi"
    cards: list[dict[str, Any]] = [
        {
            "task": t,
            "what": what(t, lang),
            "commands": TASK_COMMANDS.get(t.kind, ()) if t.actor.role == viewer.actor.role else (),
            "prefill": prefill(t),
        }
        for t in found
    ]
    template = "_tasks.html" if request.query_params.get("part") == "list" else "tasks.html"
    bulk = sum("accept" in c["commands"] for c in cards) > 1
    choices = await _choices(ctx, viewer, None)
    mine = (
        []
        if viewer.actor.role in (Role.HQ, Role.AUDITOR)
        else await assignments.listed(ctx.services, viewer.actor, limit=100)
    )
    done = request.query_params.get("done")
    return render(
        request, template, viewer, cards=cards, forms=FORMS, new_id=uuid4, errors={}, bulk=bulk, mine=mine,
        choices=choices, done=done if done in BY_NAME else None,
    )  # fmt: skip


@router.get("/assignments/{assignment_id:path}/view")
async def assignment_page(assignment_id: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    state = await assignments.show(ctx.services, viewer.actor, assignment_id)
    mine = [kind.name for kind in COMMANDS if kind.by == viewer.actor.role and kind.name != "end"]
    return render(
        request, "assignment.html", viewer, state=state, commands=mine, forms=FORMS, new_id=uuid4, errors={},
        choices=await _choices(ctx, viewer, state),
    )  # fmt: skip


async def _choices(ctx: Context, viewer: Viewer, state: AssignmentState | None) -> dict[str, list[tuple[str, str]]]:
    """The pickers of the forms: a commune places a member in one of its own cells; a member's activity names the
    households of its assignment."""
    found: dict[str, list[tuple[str, str]]] = {}
    if viewer.actor.role == Role.COMMUNE:
        cells = await directory.browse(ctx.services, viewer.actor, "cells")
        found["cell_id"] = [(c.id, f"{c.id} — {c.name}") for c in cells if c.within == viewer.actor.id]
    if state is not None and state.household_ids:
        found["household_ids"] = [(h, h) for h in state.household_ids]
    return found


@router.post("/assignments/{assignment_id:path}/do/{name}")
async def act(assignment_id: str, name: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    kind = BY_NAME.get(name)
    if kind is None:
        raise NotFoundError(f"no command {name!r}")
    form = await posted(request, viewer)
    command_id = forms.command_id_of(form)
    given = forms.values(kind.model, form)
    back = back_to(request, "/tasks")
    errors: dict[str, str] = {}
    try:
        command = kind.model.model_validate({**given, "actor": viewer.actor, "command_id": command_id})
        result = await assignments.command(ctx.services, assignment_id, command)
    except ValidationError as failure:
        errors = forms.field_errors(failure)
        status, message = 400, "; ".join(f"{k}: {v}" if k else v for k, v in errors.items())
    except Exception as failure:
        status, _, message = refusal(failure)
    else:
        if request.headers.get("HX-Request") == "true":
            return render(request, "_done.html", viewer, name=name, result=result, headers_trigger=True)
        return RedirectResponse(f"{back}?done={name}", status_code=303)
    template = "_command.html" if request.headers.get("HX-Request") == "true" else "command.html"
    return render(
        request, template, viewer, http_status=status, name=name, assignment_id=assignment_id, fields=FORMS[name],
        values=given, errors=errors, message=message, command_id=command_id, back=back,
        choices=await _choices(ctx, viewer, None),
    )  # fmt: skip


@router.post("/tasks/accept")
async def accept_many(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """A commune accepts several introductions in one go: each accepted or refused on its own."""
    form = await posted(request, viewer)
    chosen = [str(a) for a in form.getlist("assignment")][:200]
    batch = forms.command_id_of(form)
    results: list[tuple[str, bool, str]] = []
    if not chosen:
        results.append(("", False, str(InvalidInputError("choose at least one introduction to accept"))))
    for assignment_id in chosen:
        try:
            command = AcceptAssignment(actor=viewer.actor, command_id=uuid5(batch, assignment_id))
            result = await assignments.command(ctx.services, assignment_id, command)
        except Exception as failure:
            results.append((assignment_id, False, refusal(failure)[2]))
        else:
            results.append((assignment_id, True, result.stage))
    status = 200 if all(ok for _, ok, _ in results) else 409
    return render(request, "accepted.html", viewer, http_status=status, results=results)


def _rows(form: Any) -> list[directives.NominationRequest]:
    requests = []
    for i in range(MAX_ROWS):
        member = str(form.get(f"member_{i}", "")).strip()
        if not member:
            continue
        cell = str(form.get(f"cell_{i}", "")).strip() or None
        households = tuple(h for h in str(form.get(f"households_{i}", "")).replace(";", ",").split(",") if h.strip())
        requests.append(
            directives.NominationRequest(
                member_id=member, cell_id=cell, household_ids=tuple(h.strip() for h in households)
            )
        )
    return requests


@router.get("/directives/{code:path}/nominate")
async def nomination_form(code: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    choices = await directives.nomination_choices(ctx.services, viewer.actor, code)
    return render(
        request, "nominate.html", viewer, choices=choices, rows=_blank_rows(choices), resolution="", error=None,
        command_id=uuid4(), answer=None,
    )  # fmt: skip


def _blank_rows(choices: directives.NominationChoices) -> list[dict[str, str]]:
    open_cells = [c.id for c in choices.cells if not c.taken]
    count = min(MAX_ROWS, max(len(open_cells), 1))
    return [
        {"member": "", "cell": open_cells[i] if i < len(open_cells) else "", "households": ""} for i in range(count)
    ]


@router.post("/directives/{code:path}/nominate")
async def nominate(code: str, request: Request, ctx: Context, viewer: Viewer) -> Response:
    form = await posted(request, viewer)
    choices = await directives.nomination_choices(ctx.services, viewer.actor, code)
    rows = [
        {k: str(form.get(f"{k}_{i}", "")) for k in ("member", "cell", "households")}
        for i in range(min(MAX_ROWS, len(_blank_rows(choices))))
    ]
    resolution = str(form.get("resolution", ""))[:200]
    command_id = forms.command_id_of(form)
    try:
        requests = _rows(form)
        if not requests:
            raise InvalidInputError("choose a member in at least one row")
        done = await directives.nominate(ctx.services, viewer.actor, code, resolution, requests, command_id=command_id)
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(
            request, "nominate.html", viewer, http_status=status, choices=choices, rows=rows, resolution=resolution,
            error=message, command_id=command_id, answer=None,
        )  # fmt: skip
    return render(
        request, "nominate.html", viewer, choices=choices, rows=[], resolution=resolution, error=None,
        command_id=uuid4(), answer=list(done.answer.assignment_ids),
    )  # fmt: skip
