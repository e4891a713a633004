"""`phancong history member|cell|directive|assignment ID [--as-of WHEN] [--format table|json|csv]`."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Any

import typer

from app.history import History, as_of_moment
from app.history import history as history_of
from app.scopes import Subject
from domain.calendar import VIETNAM
from phancong.cli.common import (
    ActorOption,
    InvalidArgumentError,
    JsonOption,
    actor_of,
    handles_errors,
    parse_date,
    run,
    services,
    state,
)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@handles_errors
def history(
    ctx: typer.Context,
    subject: Subject = typer.Argument(..., help="member | cell | directive | assignment"),
    subject_id: str = typer.Argument(..., metavar="ID", help="e.g. DV-HL-02, CB-TT-AP1, 681-CT/ĐU, or an assignment"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="YYYY-MM-DD (end of that day, Viet Nam) or an ISO time: only events recorded before."
    ),
    on: str | None = typer.Option(
        None, "--on", help="YYYY-MM-DD: as things stood on that business date (events that happened by its end)."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table | json | csv"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The timeline of events, with actors and times, and the state they fold into (as it was --as-of)."""
    viewer = actor_of(actor)
    try:
        moment = as_of_moment(as_of) if as_of else None
    except ValueError as exc:
        raise InvalidArgumentError(f"--as-of {as_of!r}: {exc}") from None

    day = parse_date(on, "--on", state(ctx).today) if on else None

    async def go() -> History:
        async with services(state(ctx)) as s:
            return await history_of(s, viewer, subject, subject_id, moment, on=day)

    found = run(go())
    if fmt == Format.JSON or as_json:
        typer.echo(json.dumps(found.model_dump(mode="json"), ensure_ascii=False, indent=2))
    elif fmt == Format.CSV:
        typer.echo(_csv(found), nl=False)
    else:
        typer.echo(_table(found))


def _local(moment: Any) -> str:
    return f"{moment.astimezone(VIETNAM):%Y-%m-%d %H:%M}"


def _table(h: History) -> str:
    many_streams = h.subject in (Subject.MEMBER, Subject.CELL)
    when = f" as of {_local(h.as_of)} (Viet Nam)" if h.as_of else ""
    lines = [f"history of {h.subject.value} {h.subject_id}{when}: {len(h.entries)} events", ""]
    lines.append(f"{'recorded':16}  {'date':10}  {'actor':24}  {'event':24}  details")
    for e in h.entries:
        where = f"{e.stream_id}@{e.version}  " if many_streams else ""
        occurred = f"{e.occurred_at.astimezone(VIETNAM):%Y-%m-%d}"
        who = f"{e.actor} ({e.account})" if e.account else e.actor
        lines.append(f"{_local(e.recorded_at)}  {occurred}  {who:24}  {e.event_type:24}  {where}{e.summary}")
    lines += ["", "state" + (" then:" if h.as_of else " now:")]
    for key, value in h.state.items():
        if key == "assignments":
            for a in value:
                lines.append(
                    f"  {a['assignment_id']}: {a['stage']}, cell {a['cell_id']}, joined {a['joined_on'] or '-'}, "
                    f"meetings {a['meetings']}, grades {_grades(a['grades'])}"
                )
        else:
            lines.append(f"  {key}: {value}")
    return "\n".join(lines)


def _grades(grades: dict[str, str]) -> str:
    return ", ".join(f"{period} {grade}" for period, grade in grades.items()) or "-"


def _csv(h: History) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "position",
            "stream_id",
            "version",
            "event_type",
            "occurred_at",
            "recorded_at",
            "actor",
            "account",
            "directive_id",
            "payload",
        ]
    )
    for e in h.entries:
        writer.writerow(
            [
                e.position,
                e.stream_id,
                e.version,
                e.event_type,
                e.occurred_at.isoformat(),
                e.recorded_at.isoformat(),
                e.actor,
                e.account or "",
                e.directive_id or "",
                json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
            ]
        )
    return out.getvalue()
