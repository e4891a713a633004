"""When an assignment's scheduled steps fall due (pure unit tests of ``domain.schedule``)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.assignment import fold
from domain.calendar import local_time
from domain.context import AssignmentContext, CellRef
from domain.event import DomainEvent
from domain.events.assignment import CommuneAccepted, IntroductionSent, MemberNominated
from domain.schedule import ActionKind, pending_actions
from domain.vocabulary import AssignmentKind

TODAY = date(2027, 3, 10)
CONTEXT = AssignmentContext(
    term_starts_on=TODAY,
    term_ends_on=date(2029, 3, 9),
    commune_cells=(CellRef(id="C", name="Chi bộ ấp 1", commune_id="X", meeting_day=15),),
)


def accepted(join_on: date) -> list[DomainEvent]:
    return [
        MemberNominated(
            assignment_id="D:M:C",
            directive_id="D",
            kind=AssignmentKind.CELL_PARTICIPATION,
            member_id="M",
            post_id="P",
            commune_id="X",
            cell_id="C",
            nominated_on=TODAY,
        ),
        IntroductionSent(commune_id="X", sent_on=TODAY, response_due_on=TODAY + timedelta(days=15)),
        CommuneAccepted(commune_id="X", cell_id="C", accepted_on=TODAY, join_on=join_on),
    ]


def test_a_member_accepted_before_the_reminder_hour_joins_at_once() -> None:
    state = fold(accepted(join_on=TODAY))
    assert state is not None
    early_morning = local_time(TODAY, 6)  # before the policy's 08:00

    join = next(a for a in pending_actions(state, CONTEXT, early_morning) if a.kind == ActionKind.JOIN)

    assert join.due_at == local_time(TODAY, 0)
    assert join.due_at <= early_morning


def test_a_later_joining_date_takes_effect_at_the_start_of_that_day() -> None:
    state = fold(accepted(join_on=TODAY + timedelta(days=5)))
    assert state is not None

    join = next(a for a in pending_actions(state, CONTEXT, local_time(TODAY, 6)) if a.kind == ActionKind.JOIN)

    assert join.due_at == local_time(TODAY + timedelta(days=5), 0)


def test_runs_recorded_before_the_change_still_join_at_the_reminder_hour() -> None:
    state = fold(accepted(join_on=TODAY))
    assert state is not None

    actions = pending_actions(state, CONTEXT, local_time(TODAY, 6), join_at_start_of_day=False)

    join = next(a for a in actions if a.kind == ActionKind.JOIN)
    assert join.due_at == local_time(TODAY, CONTEXT.policy.reminder_hour)
