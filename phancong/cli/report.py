"""`phancong report`: HQ's figures for a directive, a post, a commune or the province, over a period."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from app import reports
from app.history import as_of_moment
from app.reports import Figures
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
from wording import report as report_format


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class Language(StrEnum):
    VI = "vi"
    EN = "en"


@handles_errors
def report_command(
    ctx: typer.Context,
    directive: str | None = typer.Option(None, "--directive", help="One directive (default: every real one)."),
    post: str | None = typer.Option(None, "--post", help="Only this post's members."),
    commune: str | None = typer.Option(None, "--commune", help="Only this commune."),
    start: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: the term's start)."),
    end: str | None = typer.Option(None, "--to", help="YYYY-MM-DD (default: the term's end)."),
    lang: Language = typer.Option(Language.VI, "--lang", help="vi | en"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table | csv | json"),
    chart: Path | None = typer.Option(None, "--chart", help="Also draw FILE.png or FILE.svg."),
    simulated: bool = typer.Option(False, "--simulated", help="Include simulated directives."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="The report as it could have been printed then: YYYY-MM-DD (the end of that day, Viet Nam time) or "
        "an ISO time with its offset; only the events recorded before it count.",
    ),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The figures the programme publishes (members, coverage, households, activities, VND, attendance,
    appraisals, grades, commendations, corrections, rotations, overdue tasks), from the events."""
    viewer = actor_of(actor)
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise InvalidArgumentError(f"--chart {chart}: a .png or .svg file")
    start_on = parse_date(start, "--from", state(ctx).today) if start else None
    end_on = parse_date(end, "--to", state(ctx).today) if end else None
    try:
        moment = as_of_moment(as_of) if as_of else None
    except ValueError as exc:
        raise InvalidArgumentError(f"--as-of {as_of!r}: {exc}") from None

    async def go() -> Figures:
        async with services(state(ctx)) as s:
            return await reports.report(
                s, viewer, directive=directive, post=post, commune=commune, start=start_on, end=end_on,
                simulated=simulated, as_of=moment,
            )  # fmt: skip

    figures = run(go())
    if fmt == Format.JSON or as_json:
        typer.echo(report_format.as_json(figures, lang.value))
    elif fmt == Format.CSV:
        typer.echo(report_format.as_number_csv(figures, lang.value), nl=False)
    else:
        typer.echo(report_format.as_table(figures, lang.value))
    if chart is not None:
        report_format.chart(figures, lang.value, chart)
