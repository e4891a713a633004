"""`phancong report`: HQ's figures for a directive, a post, a commune or the province, over a period."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from app import reports
from app.history import as_of_moment
from app.reports import Column, Figures
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
    by: str | None = typer.Option(
        None, "--by", help="Side by side: year | quarter | month of the period, or post | commune in it."
    ),
    by_post: bool = typer.Option(False, "--by-post", help="A column per post (the same as --by post)."),
    by_commune: bool = typer.Option(False, "--by-commune", help="A column per commune (the same as --by commune)."),
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

    chosen = [b for b in (by, "post" if by_post else None, "commune" if by_commune else None) if b]
    if len(set(chosen)) > 1:
        raise InvalidArgumentError("--by, --by-post and --by-commune: one of them")
    side = chosen[0] if chosen else None
    if side is not None and side not in (*reports.PERIODS, *reports.UNITS):
        raise InvalidArgumentError(f"--by {side!r}: one of {', '.join((*reports.PERIODS, *reports.UNITS))}")

    async def go() -> tuple[Figures, list[Column]]:
        async with services(state(ctx)) as s:
            if side is None and chart is None:
                whole = await reports.report(
                    s, viewer, directive=directive, post=post, commune=commune, start=start_on, end=end_on,
                    simulated=simulated, as_of=moment,
                )  # fmt: skip
                return whole, []
            # The chart draws the report per month of its period, unless it is asked side by side otherwise.
            return await reports.side_by_side(
                s, viewer, side or "month", directive=directive, post=post, commune=commune, start=start_on,
                end=end_on, simulated=simulated, as_of=moment,
            )  # fmt: skip

    figures, columns = run(go())
    if side is not None:
        if fmt == Format.JSON or as_json:
            typer.echo(report_format.as_series_json(figures, columns, side, lang.value))
        elif fmt == Format.CSV:
            typer.echo(report_format.as_series_csv(columns, lang.value), nl=False)
        else:
            typer.echo(report_format.as_series_table(figures, columns, lang.value))
    elif fmt == Format.JSON or as_json:
        typer.echo(report_format.as_json(figures, lang.value))
    elif fmt == Format.CSV:
        typer.echo(report_format.as_number_csv(figures, lang.value), nl=False)
    else:
        typer.echo(report_format.as_table(figures, lang.value))
    if chart is not None:
        report_format.chart(figures, columns, lang.value, chart)
