"""`phancong directive`: HQ issues, watches, amends and closes directives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from app import directives
from app.ports import DirectiveAnswer
from app.records import BroughtIn
from app.records import bring_in as bring_in_records
from directives.records import load_records
from directives.resolve import load_directive
from domain.policy import DirectivePolicy
from infra.files import load
from phancong.cli.common import (
    ActorOption,
    JsonOption,
    actor_of,
    emit_json,
    handles_errors,
    parse_date,
    run,
    services,
    state,
)

app = typer.Typer(help="Directives: issue, status, amend, close.", no_args_is_help=True)


@app.command("issue")
@handles_errors
def issue(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A YAML or JSON directive file."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Issue a directive: check it against the directory and start it (issuing it again changes nothing)."""
    who = actor_of(actor)
    cli = state(ctx)
    spec = load_directive(file, cli.file_limits)

    async def go() -> directives.Issued:
        async with services(cli) as s:
            return await directives.issue(s, who, spec, file.name)

    issued = run(go())
    if as_json:
        emit_json(issued)
        return
    verb = "issued" if issued.outcome == "issued" else "already issued (same content): nothing changed"
    typer.echo(f"{issued.directive_id}: {verb}; {issued.cells} cells, {issued.posts} posts in scope")


@app.command("bring-in")
@handles_errors
def bring_in(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The past directive's file (YAML or JSON, its term ended)."),
    records: Path = typer.Argument(..., help="Its record: CSV (UTF-8) or Excel (.xlsx), one row per record."),
    confirm: bool = typer.Option(False, "--confirm", help="Record it (without: a preview, nothing written)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Bring a past directive's record in (HQ): its assignments, meetings, activities, grades, commendations and
    corrections on their own dates, checked whole first; a preview unless --confirm."""
    who = actor_of(actor)
    cli = state(ctx)
    spec = load_directive(file, cli.file_limits)
    rows, digest = load_records(records, cli.file_limits)

    async def go() -> BroughtIn:
        async with services(cli) as s:
            return await bring_in_records(s, who, spec, rows, source=records.name, digest=digest, confirm=confirm)

    done = run(go())
    if as_json:
        emit_json(done)
        return
    head = "recorded" if done.recorded else "preview (nothing written; --confirm records it)"
    typer.echo(f"{done.directive_id} ({done.term_starts_on} .. {done.term_ends_on}) from {done.source}: {head}")
    typer.echo(
        f"  {done.members} members, {done.assignments} assignments, {done.meetings} meetings, {done.activities} "
        f"activities, {done.grades} grades, {done.commendations} commendations, {done.corrections} corrections"
    )
    typer.echo(f"  material support {done.material_support_vnd:,} VND, gifts {done.gifts_vnd:,} VND")
    for year, figures in done.by_year.items():
        typer.echo(f"  {year}: " + ", ".join(f"{k} {v:,}" for k, v in figures.items()))
    typer.echo(f"  {done.events} events in {done.streams} streams; source SHA-256 {done.source_sha256}")


@app.command("status")
@handles_errors
def status(
    ctx: typer.Context, code: str = typer.Argument(...), actor: str | None = ActorOption, as_json: bool = JsonOption
) -> None:
    """Coverage, nominations, open requests of a directive (HQ, auditors, its posts)."""
    viewer = actor_of(actor)

    async def go() -> dict[str, Any]:
        async with services(state(ctx)) as s:
            return await directives.status(s, viewer, code)

    report = run(go())
    if as_json:
        emit_json(report)
        return
    typer.echo(f"{report['directive_id']}  {report['title']}")
    typer.echo(f"status {report['status']}, term {report['term'][0]} .. {report['term'][1]}")
    for name, value in report["figures"].items():
        typer.echo(f"  {name:26} {value:>6}")


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
    who = actor_of(actor)
    cli = state(ctx)
    new_policy = load(DirectivePolicy, policy, code="invalid_policy", limits=cli.file_limits) if policy else None
    new_end = parse_date(term_end, "--term-end", cli.today) if term_end else None

    async def go() -> DirectiveAnswer:
        async with services(cli) as s:
            return await directives.amend(
                s, who, code, add_cells=add_cell, remove_cells=remove_cell, term_ends_on=new_end, policy=new_policy,
                note=note,
            )  # fmt: skip

    result = run(go())
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{result.directive_id}: amended (directive at version {result.version})")


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
    who = actor_of(actor)

    async def go() -> DirectiveAnswer:
        async with services(state(ctx)) as s:
            return await directives.close(s, who, code, reason)

    result = run(go())
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{result.directive_id}: closed (directive at version {result.version})")


@app.command("list")
@handles_errors
def list_(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """The directives the actor takes part in (HQ and auditors: every one), newest first."""
    viewer = actor_of(actor)

    async def go() -> list[dict[str, Any]]:
        async with services(state(ctx)) as s:
            return await directives.listed(s, viewer)

    rows = run(go())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        mark = " (simulated)" if r["simulated"] else ""
        typer.echo(f"{r['directive_id']:24} {r['status']:7} {r['kind']:22} {r['title']}{mark}")
