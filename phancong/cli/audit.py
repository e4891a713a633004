"""`phancong audit`: what auditors run to prove the record was not altered, and take it away to check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from app import audit
from events.integrity import Seal
from phancong.cli.common import ActorOption, JsonOption, actor_of, emit_json, handles_errors, run, services, state

app = typer.Typer(
    help="Auditing: verify the record's integrity, seal the log, export a directive.", no_args_is_help=True
)


def _seal_json(s: Seal | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"seal_no": s.seal_no, "position": s.position, "events": s.events, "hash": s.hash.hex()}


@app.command("verify")
@handles_errors
def verify(
    ctx: typer.Context,
    stream: str | None = typer.Option(None, help="Verify one stream only (its chain; the log's seals are skipped)."),
    expect_seal: str | None = typer.Option(
        None, "--expect-seal", help="A seal hash kept from an earlier verify: it must still be in the record."
    ),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Recompute every stream's hash chain and every seal of the global log; name the first problem of each
    and exit 1 if there is any. Anyone may verify (it shows hashes, never content); --as is optional."""
    if actor:
        actor_of(actor)

    async def go() -> audit.Verification:
        async with services(state(ctx)) as s:
            return await audit.verify(s, stream, expect_seal)

    verified = run(go())
    problems, log, log_problems = verified.problems, verified.log, verified.log_problems
    failed = not verified.ok
    if as_json:
        emit_json(
            {
                "ok": not failed,
                "problems": problems,
                "log_problems": log_problems,
                "seals": log.seals if log else None,
                "events_sealed": log.events_sealed if log else None,
                "events_unsealed": log.events_unsealed if log else None,
                "latest_seal": _seal_json(log.latest) if log else None,
            }
        )
    else:
        for problem in problems:
            typer.echo(f"BROKEN {problem}")
        for message in log_problems:
            typer.echo(f"BROKEN log: {message}")
        if not problems:
            typer.echo("every stream's hash chain verifies")
        if log is not None and not log_problems and log.seals == 0:
            typer.echo(
                f"the global log has no seal yet ({log.events_unsealed:,} events): run `phancong audit seal` "
                "(the worker seals every few minutes)"
            )
        elif log is not None and not log_problems:
            typer.echo(
                f"the global log matches its {log.seals} seal{'s' if log.seals > 1 else ''} "
                f"({log.events_sealed:,} events sealed, {log.events_unsealed:,} appended since the last)"
            )
        if log is not None and log.latest is not None:
            typer.echo(f"latest seal #{log.latest.seal_no}: {log.latest.hash.hex()}  (keep it: --expect-seal)")
    if failed:
        raise typer.Exit(1)


@app.command("seal")
@handles_errors
def seal_command(ctx: typer.Context, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Seal the global log now (the worker also does, every few minutes); as hq or auditor when --as is given."""
    who = actor_of(actor) if actor else None

    async def go() -> Seal | None:
        async with services(state(ctx)) as s:
            return await audit.seal(s, who)

    made = run(go())
    if as_json:
        emit_json({"sealed": _seal_json(made)})
    elif made is None:
        typer.echo("nothing appended since the last seal")
    else:
        typer.echo(f"seal #{made.seal_no}: {made.events:,} events below position {made.position}: {made.hash.hex()}")


@app.command("export")
@handles_errors
def export(
    ctx: typer.Context,
    directive: str = typer.Option(..., "--directive", help="The directive's code, e.g. 681-CT/ĐU."),
    out: Path = typer.Option(None, "--out", help="A directory (default: export-<code>)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Every stream of a directive, whole, with a manifest of hashes an auditor verifies offline."""
    who = actor_of(actor)
    target = out or Path("export-" + directive.replace("/", "-"))

    async def go() -> dict[str, Any]:
        async with services(state(ctx)) as s:
            return await audit.export(s, who, directive, target)

    manifest = run(go())
    if as_json:
        emit_json({"out": str(target), **manifest})
    else:
        typer.echo(
            f"{manifest['events']:,} events of {len(manifest['streams'])} streams in {target}/events.jsonl; "
            f"manifest {target}/manifest.json"
        )
        typer.echo(f"verify offline: python3 {target}/verify_chain.py {target}/events.jsonl {target}/manifest.json")
