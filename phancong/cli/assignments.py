"""Every action on an assignment, one command each, by the role that takes it."""

from __future__ import annotations

from typing import Any

import typer

from app import assignments, directives
from app.directives import NominationRequest
from domain.assignment import AssignmentState
from domain.commands import (
    AcceptAssignment,
    Command,
    CommandResult,
    Commend,
    Correct,
    DeclineAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    RecordMeeting,
    ResumeAssignment,
    SubmitAppraisal,
    WithdrawMember,
)
from domain.vocabulary import ActivityKind, Attendance, Contribution, EndReason, Grade
from phancong.cli.common import (
    ActorOption,
    InvalidArgumentError,
    JsonOption,
    actor_of,
    emit_json,
    handles_errors,
    parse_date,
    run,
    services,
    state,
)

AssignmentArg = typer.Argument(..., help="The assignment id (as `phancong tasks` or `assignment list` show it).")

commune_app = typer.Typer(help="The commune party committee answers an introduction.", no_args_is_help=True)
meeting_app = typer.Typer(help="The cell records its meeting.", no_args_is_help=True)
activity_app = typer.Typer(help="The member logs an activity.", no_args_is_help=True)
appraisal_app = typer.Typer(help="The cell submits its appraisal.", no_args_is_help=True)
assignment_app = typer.Typer(help="Look at assignments.", no_args_is_help=True)


def _send(ctx: typer.Context, assignment: str, command: Command, as_json: bool) -> None:
    async def go() -> CommandResult:
        async with services(state(ctx)) as s:
            return await assignments.command(s, assignment, command)

    result = run(go())
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{result.assignment_id}: {', '.join(result.events)} -> {result.stage} (version {result.version})")


def register(app: typer.Typer) -> None:
    """Add the assignment commands to the root command."""
    app.command("nominate")(nominate)
    app.add_typer(commune_app, name="commune")
    app.add_typer(meeting_app, name="meeting")
    app.add_typer(activity_app, name="activity")
    app.add_typer(appraisal_app, name="appraisal")
    app.command("grade")(grade)
    app.command("commend")(commend)
    app.command("correct")(correct)
    app.command("pause")(pause)
    app.command("resume")(resume)
    app.command("withdraw")(withdraw)
    app.add_typer(assignment_app, name="assignment")


@handles_errors
def nominate(
    ctx: typer.Context,
    directive: str = typer.Option(..., "--directive", help="The directive's code."),
    member: list[str] = typer.Option(..., "--member", help="A member of your post (repeat with --cell)."),
    cell: list[str] = typer.Option([], "--cell", help="The cell for each --member, in order."),
    households: list[str] = typer.Option(
        [], "--households", help="Household ids, comma-separated, for each --member (household sponsorship)."
    ),
    resolution: str = typer.Option("", "--resolution", help="The post committee's resolution, e.g. 15-NQ/ĐU."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """A post nominates members for cells (or household groups) under a directive."""
    who = actor_of(actor)
    targets = cell or households
    if len(targets) != len(member):
        raise InvalidArgumentError("give one --cell (or --households) for each --member")
    requests = [
        NominationRequest(member_id=m, cell_id=t)
        if cell
        else NominationRequest(member_id=m, household_ids=tuple(h.strip() for h in t.split(",") if h.strip()))
        for m, t in zip(member, targets, strict=True)
    ]

    async def go() -> directives.Nominated:
        async with services(state(ctx)) as s:
            return await directives.nominate(s, who, directive, resolution, requests)

    done = run(go())
    if as_json:
        emit_json(done.answer)
        return
    for assignment_id in done.answer.assignment_ids:
        said = "introduction sent to the commune" if assignment_id in done.introduced else "introduction on its way"
        typer.echo(f"nominated: {assignment_id} ({said})")


@commune_app.command("accept")
@handles_errors
def accept(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    cell: str | None = typer.Option(None, "--cell", help="Place the member in this cell of the commune instead."),
    join_on: str | None = typer.Option(
        None, "--join-on", help="The day the member takes part from, from its start (YYYY-MM-DD; default: today)."
    ),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Accept the introduced member (possibly into another cell of the commune)."""
    command = AcceptAssignment(
        actor=actor_of(actor),
        cell_id=cell,
        join_on=parse_date(join_on, "--join-on", state(ctx).today) if join_on else None,
        note=note,
    )
    _send(ctx, assignment, command, as_json)


@commune_app.command("decline")
@handles_errors
def decline(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    reason: str = typer.Option(..., "--reason"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Decline the introduced member, with a reason."""
    _send(ctx, assignment, DeclineAssignment(actor=actor_of(actor), reason=reason), as_json)


@meeting_app.command("record")
@handles_errors
def record_meeting(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    date: str = typer.Option(..., "--date", help="The meeting's date: YYYY-MM-DD, today or yesterday."),
    attendance: Attendance = typer.Option(..., "--attendance"),
    excuse: str | None = typer.Option(None, "--excuse", help="Why an excused member was absent."),
    contribution: list[Contribution] = typer.Option([], "--contribution"),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Record the month's meeting: the member's attendance and contributions."""
    command = RecordMeeting(
        actor=actor_of(actor),
        meeting_on=parse_date(date, "--date", state(ctx).today),
        attendance=attendance,
        excuse=excuse,
        contributions=tuple(contribution),
        note=note,
    )
    _send(ctx, assignment, command, as_json)


@activity_app.command("log")
@handles_errors
def log_activity(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    date: str = typer.Option(..., "--date", help="The activity's date: YYYY-MM-DD, today or yesterday."),
    kind: ActivityKind = typer.Option(..., "--kind"),
    quantity: int = typer.Option(1, "--quantity", help="Sessions, visits, workdays, people."),
    amount_vnd: int = typer.Option(0, "--amount-vnd", help="Cash or the value of goods, in đồng."),
    in_kind: str = typer.Option("", "--in-kind", help="What was given in kind."),
    household: list[str] = typer.Option([], "--household"),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Log an activity: an information session, a household visit, workdays, support in VND."""
    command = LogActivity(
        actor=actor_of(actor),
        activity_on=parse_date(date, "--date", state(ctx).today),
        kind=kind,
        quantity=quantity,
        amount_vnd=amount_vnd,
        in_kind=in_kind,
        household_ids=tuple(household),
        note=note,
    )
    _send(ctx, assignment, command, as_json)


@appraisal_app.command("submit")
@handles_errors
def submit_appraisal(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    period: str = typer.Option(..., "--period", help="e.g. 2027-Q1, 2027-H1, 2027, follow-up-1"),
    text: str = typer.Option(..., "--text"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The cell's appraisal (nhận xét) of the member for a review period."""
    _send(ctx, assignment, SubmitAppraisal(actor=actor_of(actor), period=period, text=text), as_json)


@handles_errors
def grade(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    period: str = typer.Option(..., "--period"),
    grade: Grade = typer.Option(..., "--grade"),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The post grades its member for a period (after the cell's appraisal); commendation or correction follow."""
    _send(ctx, assignment, GradeMember(actor=actor_of(actor), period=period, grade=grade, note=note), as_json)


@handles_errors
def commend(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    reason: str = typer.Option(..., "--reason"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ commends a member (biểu dương, khen thưởng)."""
    _send(ctx, assignment, Commend(actor=actor_of(actor), reason=reason), as_json)


@handles_errors
def correct(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    reason: str = typer.Option(..., "--reason"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """HQ corrects a member (phê bình, chấn chỉnh); a follow-up review falls due."""
    _send(ctx, assignment, Correct(actor=actor_of(actor), reason=reason), as_json)


@handles_errors
def pause(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    reason: str = typer.Option(..., "--reason", help="Mission, training, leave…"),
    until: str | None = typer.Option(None, "--until", help="Resume by itself on this date."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The post pauses its member's assignment."""
    command = PauseAssignment(
        actor=actor_of(actor), reason=reason, until=parse_date(until, "--until", state(ctx).today) if until else None
    )
    _send(ctx, assignment, command, as_json)


@handles_errors
def resume(
    ctx: typer.Context, assignment: str = AssignmentArg, actor: str | None = ActorOption, as_json: bool = JsonOption
) -> None:
    """The post resumes a paused assignment."""
    _send(ctx, assignment, ResumeAssignment(actor=actor_of(actor)), as_json)


@handles_errors
def withdraw(
    ctx: typer.Context,
    assignment: str = AssignmentArg,
    reason: EndReason = typer.Option(..., "--reason"),
    note: str = typer.Option("", "--note"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The post withdraws its member (transferred, discharged, rotated…)."""
    _send(ctx, assignment, WithdrawMember(actor=actor_of(actor), reason=reason, note=note), as_json)


@assignment_app.command("show")
@handles_errors
def show(
    ctx: typer.Context, assignment: str = AssignmentArg, actor: str | None = ActorOption, as_json: bool = JsonOption
) -> None:
    """The assignment's current state (the fold of its events)."""
    viewer = actor_of(actor)

    async def go() -> AssignmentState:
        async with services(state(ctx)) as s:
            return await assignments.show(s, viewer, assignment)

    current = run(go())
    if as_json:
        emit_json(current)
        return
    typer.echo(f"{current.assignment_id}: {current.stage.value}")
    typer.echo(
        f"  member {current.member_id} of {current.post_id}, cell {current.serving_cell_id} ({current.commune_id})"
    )
    if current.end_reason:
        typer.echo(f"  ended {current.ended_on}: {current.end_reason.value}")
    typer.echo(
        f"  meetings recorded {len(current.meetings)}, reviews {len(current.reviews)}, version {current.version}"
    )


@assignment_app.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    directive: str | None = typer.Option(None, "--directive"),
    post: str | None = typer.Option(None, "--post"),
    commune: str | None = typer.Option(None, "--commune"),
    stage: str | None = typer.Option(None, "--stage"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The assignments the actor may see (HQ and auditors: all), filtered."""
    viewer = actor_of(actor)

    async def go() -> list[dict[str, Any]]:
        async with services(state(ctx)) as s:
            return await assignments.listed(s, viewer, directive=directive, post=post, commune=commune, stage=stage)

    rows = run(go())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        ended = f" ({r['end_reason']})" if r["end_reason"] else ""
        typer.echo(f"{r['assignment_id']:52} {r['stage']:10}{ended}")
