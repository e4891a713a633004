"""A synthetic log, written straight to the event store: directives and whole assignment lives as the
workflows would have recorded them (nomination to end of term, monthly meetings, activities, quarterly
reviews), for benchmarks and tests that need a large, valid history fast. Marked as simulated.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain import ids
from domain.actors import SYSTEM, Actor, Role
from domain.calendar import VIETNAM, add_months, month_key
from domain.context import CellRef
from domain.directive import CellInScope, PostInScope
from domain.event import DomainEvent
from domain.events.assignment import (
    ActivityLogged,
    AppraisalSubmitted,
    AssignmentEnded,
    CellJoined,
    Commended,
    CommuneAccepted,
    IntroductionSent,
    MeetingRecorded,
    MemberGraded,
    MemberNominated,
    ReminderSent,
    ReviewRequested,
)
from domain.events.directive import DirectiveIssued
from domain.policy import DirectivePolicy
from domain.vocabulary import (
    ActivityKind,
    AssignmentKind,
    Attendance,
    AttendanceMode,
    Contribution,
    EndReason,
    Grade,
    PeriodKind,
    Recipient,
    Subject,
)
from events import EventStore, NewEvent

CATEGORIES = ("bordering", "complex_security", "weak", "zero_member_village")
ACTIVITIES = (
    (ActivityKind.INFORMATION_SESSION, 1, 0),
    (ActivityKind.HOUSEHOLD_VISIT, 3, 0),
    (ActivityKind.WORKDAY, 2, 0),
    (ActivityKind.MATERIAL_SUPPORT, 1, 500_000),
    (ActivityKind.GIFT, 1, 300_000),
    (ActivityKind.CANDIDATE_TRAINED, 1, 0),
)


@dataclass(frozen=True)
class Province:
    directive_id: str
    communes: int
    cells_per_commune: int
    starts_on: date
    months: int
    until: date | None = None  # the last day recorded: lives go on after it (in service, with open tasks)

    def cell(self, n: int) -> tuple[str, str]:
        """(cell id, commune id) of the n-th cell."""
        commune = n // self.cells_per_commune % self.communes
        return f"SYN-C{n % (self.communes * self.cells_per_commune):05d}", f"SYN-X{commune:03d}"

    def post_of(self, commune_id: str) -> str:
        return f"SYN-P{int(commune_id.removeprefix('SYN-X')) // 4:03d}"


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VIETNAM).astimezone(UTC)


def directive_events(p: Province) -> list[NewEvent[DomainEvent]]:
    cells = [p.cell(n) for n in range(p.communes * p.cells_per_commune)]
    categories = {cell: (CATEGORIES[n % 5],) if n % 5 < 4 else () for n, (cell, _) in enumerate(cells)}
    communes = sorted({c for _, c in cells})
    posts = sorted({p.post_of(c) for c in communes})
    issued = DirectiveIssued(
        directive_id=p.directive_id,
        title="Chỉ thị tổng hợp (dữ liệu mô phỏng)",
        issuing_body="Đảng ủy BĐBP tỉnh",
        issued_on=p.starts_on,
        kind=AssignmentKind.CELL_PARTICIPATION,
        term_starts_on=p.starts_on,
        term_ends_on=add_months(p.starts_on, p.months) - timedelta(days=1),
        policy=DirectivePolicy(),
        cells=tuple(
            CellInScope(id=c, name=f"Chi bộ {c}", commune_id=x, meeting_day=15, categories=categories[c])
            for c, x in cells
        ),
        posts=tuple(
            PostInScope(id=post, commune_ids=tuple(x for x in communes if p.post_of(x) == post)) for post in posts
        ),
        commune_cells=tuple(CellRef(id=c, commune_id=x, meeting_day=15) for c, x in cells),
        simulated=True,
        content_hash="0" * 64,
    )
    stream = f"directive-{p.directive_id}"
    return [
        NewEvent(
            event_id=ids.event_id(stream, 1),
            payload=issued,
            occurred_at=_at(p.starts_on, 8),
            actor=Actor(role=Role.HQ),
            directive_id=p.directive_id,
        )
    ]


Life = list[tuple[datetime, Actor, DomainEvent]]


def _recorded_by(life: Life, until: date | None) -> Life:
    """The part of a life recorded by the end of ``until`` (the whole life when None)."""
    return life if until is None else [entry for entry in life if entry[0] <= _at(until, 23)]


def assignment_events(p: Province, n: int, rng: random.Random) -> tuple[str, list[NewEvent[DomainEvent]]]:
    """The whole life of the n-th member's assignment: about 60 events over the directive's term."""
    cell_id, commune_id = p.cell(n)
    post_id = p.post_of(commune_id)
    member_id = f"SYN-DV{n:06d}"
    assignment_id = ids.assignment_id(p.directive_id, member_id, cell_id)
    stream = f"assignment-{assignment_id}"
    post, commune, cell = (
        Actor(role=Role.POST, id=post_id),
        Actor(role=Role.COMMUNE, id=commune_id),
        Actor(role=Role.CELL, id=cell_id),
    )
    member = Actor(role=Role.MEMBER, id=member_id)
    day = p.starts_on + timedelta(days=rng.randrange(0, 10))
    life: list[tuple[datetime, Actor, DomainEvent]] = []

    def add(on: date, actor: Actor, payload: DomainEvent, hour: int = 9) -> None:
        life.append((_at(on, hour), actor, payload))

    add(day, post, MemberNominated(
        assignment_id=assignment_id, directive_id=p.directive_id, kind=AssignmentKind.CELL_PARTICIPATION,
        member_id=member_id, post_id=post_id, commune_id=commune_id, cell_id=cell_id, resolution="15-NQ/ĐU",
        nominated_on=day, simulated=True,
    ))  # fmt: skip
    due = day + timedelta(days=15)
    add(day, SYSTEM, IntroductionSent(commune_id=commune_id, sent_on=day, response_due_on=due), 10)
    answered = day + timedelta(days=rng.randrange(1, 14))
    if answered >= due - timedelta(days=7):
        add(due - timedelta(days=7), SYSTEM, ReminderSent(
            key="commune-response:reminder:7", recipient=Recipient(role=Role.COMMUNE, id=commune_id),
            subject=Subject.COMMUNE_RESPONSE, due_on=due,
        ), 8)  # fmt: skip
    join = answered + timedelta(days=3)
    add(answered, commune, CommuneAccepted(commune_id=commune_id, cell_id=cell_id, accepted_on=answered, join_on=join))
    add(join, SYSTEM, CellJoined(cell_id=cell_id, joined_on=join, attendance_mode=AttendanceMode.ATTEND), 7)
    end = add_months(p.starts_on, p.months) - timedelta(days=1)
    month = date(join.year, join.month, 15)
    if month <= join:
        month = add_months(month, 1)
    quarter = 0
    while month <= end:
        attendance = rng.choices(list(Attendance), weights=(85, 10, 5))[0]
        add(month, cell, MeetingRecorded(
            cell_id=cell_id, month=month_key(month), meeting_on=month, attendance=attendance,
            excuse="công tác" if attendance == Attendance.EXCUSED else None,
            contributions=(Contribution.BORDER_BRIEFING,) if attendance == Attendance.PRESENT else (),
        ), 19)  # fmt: skip
        if rng.random() < 0.35:
            kind, quantity, amount = rng.choice(ACTIVITIES)
            on = month + timedelta(days=rng.randrange(1, 10))
            add(on, member, ActivityLogged(activity_on=on, kind=kind, quantity=quantity, amount_vnd=amount), 16)
        if month.month % 3 == 0:
            quarter += 1
            period = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
            ends = add_months(date(month.year, month.month, 1), 1) - timedelta(days=1)
            starts = add_months(date(month.year, month.month, 1), -2)
            asked = ends + timedelta(days=1)
            if asked > end:
                break
            add(asked, SYSTEM, ReviewRequested(
                key=f"review:{period}", period=period, period_kind=PeriodKind.QUARTERLY, starts_on=starts,
                ends_on=ends, due_on=ends + timedelta(days=10),
            ), 8)  # fmt: skip
            add(asked + timedelta(days=3), cell, AppraisalSubmitted(period=period, cell_id=cell_id, text="Tích cực"))
            grade = rng.choices(list(Grade), weights=(15, 60, 22, 3))[0]
            add(asked + timedelta(days=6), post, MemberGraded(period=period, grade=grade))
            if grade == Grade.EXCELLENT:
                add(asked + timedelta(days=6), SYSTEM, Commended(period=period, reason="Hoàn thành xuất sắc"), 10)
        month = add_months(month, 1)
    add(end, SYSTEM, AssignmentEnded(reason=EndReason.TERM_COMPLETED, ended_on=end), 23)
    events: list[NewEvent[DomainEvent]] = [
        NewEvent(
            event_id=ids.event_id(stream, version),
            payload=payload,
            occurred_at=at,
            actor=actor,
            directive_id=p.directive_id,
            member_id=member_id,
            cell_id=cell_id,
            causation_id="synthetic",
        )
        for version, (at, actor, payload) in enumerate(_recorded_by(life, p.until), start=1)
    ]
    return stream, events


async def write(
    store: EventStore, p: Province, assignments: int, *, first: int = 0, writers: int = 8, seed: int = 1
) -> int:
    """Append the directive (unless ``first`` > 0) and assignment lives ``first`` … ``first + assignments - 1``
    with ``writers`` concurrent writers, each life built as it is written; how many events."""
    written = 0
    if first == 0:
        await store.append(f"directive-{p.directive_id}", 0, directive_events(p))
        written += 1
    numbers = iter(range(first, first + assignments))

    async def writer() -> int:
        count = 0
        for n in numbers:
            stream, events = assignment_events(p, n, random.Random(seed * 1_000_003 + n))
            await store.append(stream, 0, events)
            count += len(events)
        return count

    return written + sum(await asyncio.gather(*(writer() for _ in range(writers))))
