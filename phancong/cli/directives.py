"""`phancong directive`: HQ issues, watches, amends and closes directives."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from directives.resolve import load_directive, resolve
from directory.repository import DirectoryRepository
from domain import ids
from domain.actors import Actor
from domain.assignment import AssignmentState
from domain.context import CellRef
from domain.directive import CellInScope, DirectiveState, PostInScope, ResolvedDirective
from domain.directive_commands import AmendDirective, CloseDirective
from domain.directive_fold import with_reports
from domain.directive_rules import figures
from domain.errors import PhancongError
from domain.events.directive import DirectiveIssued
from domain.policy import DirectivePolicy
from events import EventStore
from events.catalog import REGISTRY
from infra.files import load
from phancong import gateway
from phancong.cli.common import (
    ActorOption,
    JsonOption,
    actor_of,
    caught_up,
    database,
    emit_json,
    handles_errors,
    parse_date,
    run,
    state,
    temporal,
)
from workflows.directive import TASK_TIMEOUT as DIRECTIVE_TASK_TIMEOUT
from workflows.directive import DirectiveWorkflow
from workflows.directive_io import DirectiveInput

app = typer.Typer(help="Directives: issue, status, amend, close.", no_args_is_help=True)


class AlreadyIssuedError(PhancongError):
    code = "already_issued"


class NotRecordedError(PhancongError):
    code = "not_recorded"


# How long `directive issue` waits for the directive's first event to be stored before it says it was not.
RECORD_WAIT_SECONDS = 60.0


async def _issued(store: EventStore, client: Client, code: str, wait: float) -> DirectiveIssued | None:
    """The directive's DirectiveIssued once it is stored; None if its workflow ended without storing it, or
    ``wait`` seconds passed. A workflow that failed makes its failure the caller's refusal."""
    handle = client.get_workflow_handle(ids.directive_workflow_id(code))
    deadline = asyncio.get_running_loop().time() + wait
    checks = 0
    while asyncio.get_running_loop().time() < deadline:
        events = await store.read_stream(f"directive-{code}", to_version=1)
        if events and isinstance(events[0].payload, DirectiveIssued):
            return events[0].payload
        checks += 1
        if checks % 10 == 0 and (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            try:
                await handle.result()
            except WorkflowFailureError as failed:
                cause = failed.cause
                if isinstance(cause, ApplicationError) and cause.type:
                    raise PhancongError(cause.message, code=cause.type) from None
            return None
        await asyncio.sleep(0.1)
    return None


async def issue_directive(
    client: Client,
    store: EventStore,
    task_queue: str,
    resolved: ResolvedDirective,
    actor: Actor,
    *,
    wait: float = RECORD_WAIT_SECONDS,
) -> str:
    """Start the directive's workflow and return once its DirectiveIssued is stored ("issued"); the same
    directive again is recognised ("already_issued"); one issued with other content is refused."""
    try:
        await client.start_workflow(
            DirectiveWorkflow.run,
            DirectiveInput(directive=resolved, issued_by=actor),
            id=ids.directive_workflow_id(resolved.code),
            task_queue=task_queue,
            task_timeout=DIRECTIVE_TASK_TIMEOUT,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        earlier = await _issued(store, client, resolved.code, wait)
        if earlier is None or earlier.content_hash != resolved.content_hash():
            raise AlreadyIssuedError(
                f"directive {resolved.code} was already issued with different content: "
                "use `phancong directive amend` to change it"
            ) from None
        return "already_issued"
    if await _issued(store, client, resolved.code, wait) is None:
        raise NotRecordedError(
            f"directive {resolved.code} was started but not recorded within {wait:.0f} s: "
            "is a worker running (`phancong worker`, or `make run`)?"
        )
    return "issued"


@app.command("issue")
@handles_errors
def issue(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A YAML or JSON directive file."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Issue a directive: check it against the directory and start it (issuing it again changes nothing)."""
    who = actor_of(actor, roles=("hq",))
    cli = state(ctx)
    spec = load_directive(file, cli.file_limits)

    async def go() -> tuple[str, ResolvedDirective]:
        async with database(cli) as pool, temporal(cli) as client:
            resolved = await resolve(spec, DirectoryRepository(pool), file.name, cli.today)
            store = await EventStore.open(pool, REGISTRY)
            return await issue_directive(client, store, cli.settings.task_queue, resolved, who), resolved

    outcome, resolved = run(go())
    if as_json:
        emit_json(
            {
                "directive_id": resolved.code,
                "outcome": outcome,
                "cells": len(resolved.cells),
                "posts": len(resolved.posts),
            }
        )
        return
    verb = "issued" if outcome == "issued" else "already issued (same content): nothing changed"
    typer.echo(f"{resolved.code}: {verb}; {len(resolved.cells)} cells, {len(resolved.posts)} posts in scope")


@app.command("status")
@handles_errors
def status(ctx: typer.Context, code: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Coverage, nominations, open requests of a directive."""
    cli = state(ctx)

    async def go() -> dict[str, Any]:
        async with database(cli) as pool:
            await caught_up(pool)
            row = await pool.fetchrow("SELECT status, state FROM rm_directives WHERE directive_id = $1", code)
            if row is None:
                raise gateway.UnknownAssignmentError(f"no directive {code!r}")
            async with temporal(cli) as client:
                live = await _live_state(client, code)
            recorded = DirectiveState.model_validate_json(row["state"])
            if live is None:  # a closed directive: its assignments' own states tell their stages
                rows = await pool.fetch("SELECT state FROM rm_assignments WHERE directive_id = $1", code)
                recorded = with_reports(recorded, (AssignmentState.model_validate_json(r["state"]) for r in rows))
            current = live or recorded
            return {
                "directive_id": code,
                "title": current.directive.title,
                "status": "open" if current.open else "closed",
                "term": [current.directive.term_starts_on.isoformat(), current.directive.term_ends_on.isoformat()],
                "figures": figures(current),
                "open_replacements": [
                    r.model_dump(mode="json") for r in current.replacements.values() if r.fulfilled_by is None
                ],
            }

    report = run(go())
    if as_json:
        emit_json(report)
        return
    typer.echo(f"{report['directive_id']}  {report['title']}")
    typer.echo(f"status {report['status']}, term {report['term'][0]} .. {report['term'][1]}")
    for name, value in report["figures"].items():
        typer.echo(f"  {name:26} {value:>6}")


async def _live_state(client: Client, code: str) -> Any:
    try:
        return await gateway.directive_state(client, code)
    except PhancongError:
        return None


@app.command("amend")
@handles_errors
def amend(
    ctx: typer.Context,
    code: str = typer.Argument(...),
    add_cell: list[str] = typer.Option([], "--add-cell", help="A cell of the directory to bring into scope."),
    remove_cell: list[str] = typer.Option([], "--remove-cell", help="A cell to take out (its assignments end)."),
    term_end: str | None = typer.Option(None, "--term-end", help="New end of term (YYYY-MM-DD)."),
    policy: Path | None = typer.Option(None, "--policy", help="A YAML/JSON file with the new policy."),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Amend a running directive: its scope, its policy, its end of term."""
    who = actor_of(actor, roles=("hq",))
    cli = state(ctx)
    new_policy = load(DirectivePolicy, policy, code="invalid_policy", limits=cli.file_limits) if policy else None
    new_end = parse_date(term_end, "--term-end", state(ctx).today) if term_end else None

    async def go() -> Any:
        async with database(cli) as pool, temporal(cli) as client:
            directory = DirectoryRepository(pool)
            cells = await directory.cells(ids=add_cell) if add_cell else []
            missing = sorted(set(add_cell) - {c.id for c in cells})
            if missing:
                raise gateway.UnknownAssignmentError(f"no cell {', '.join(missing)} in the directory")
            communes = sorted({c.commune for c in cells})
            posts = [p for p in await directory.posts() if set(p.communes) & set(communes)]
            commune_cells = await directory.cells(communes=communes) if communes else []
            command = AmendDirective(
                actor=who,
                added_cells=tuple(
                    CellInScope(
                        id=c.id,
                        name=c.name,
                        commune_id=c.commune,
                        meeting_day=c.meeting_day,
                        categories=tuple(c.categories),
                    )
                    for c in cells
                ),
                added_posts=tuple(PostInScope(id=p.id, name=p.name, commune_ids=p.communes) for p in posts),
                added_commune_cells=tuple(
                    CellRef(id=c.id, name=c.name, commune_id=c.commune, meeting_day=c.meeting_day)
                    for c in commune_cells
                ),
                removed_cells=tuple(remove_cell),
                policy=new_policy,
                term_ends_on=new_end,
                note=note,
            )
            return await gateway.send_directive(client, code, command)

    result = run(go())
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{code}: amended (directive at version {result.version})")


@app.command("close")
@handles_errors
def close(
    ctx: typer.Context,
    code: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Close a directive now; its open assignments end as term_completed."""
    who = actor_of(actor, roles=("hq",))
    cli = state(ctx)

    async def go() -> Any:
        async with temporal(cli) as client:
            return await gateway.send_directive(client, code, CloseDirective(actor=who, reason=reason))

    result = run(go())
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{code}: closed (directive at version {result.version})")


@app.command("list")
@handles_errors
def list_(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every directive, newest first."""

    async def go() -> list[dict[str, Any]]:
        async with database(state(ctx)) as pool:
            await caught_up(pool)
            rows = await pool.fetch(
                "SELECT directive_id, title, kind, status, simulated, updated_at FROM rm_directives "
                "ORDER BY updated_at DESC"
            )
            return [dict(r) | {"updated_at": r["updated_at"].isoformat()} for r in rows]

    rows = run(go())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        mark = " (simulated)" if r["simulated"] else ""
        typer.echo(f"{r['directive_id']:24} {r['status']:7} {r['kind']:22} {r['title']}{mark}")
