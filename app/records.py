"""Bringing a past directive's record in: a province's years before phancong (DOMAIN.md: the programme compares 2019
with 2024), from its own spreadsheet, recorded as the events the programme would have made, each on its business
date, recorded now and marked as brought in.

HQ gives the directive's file (as for `directive issue`, its term in the past) and the record file
(``directives.records``). Everything is checked before anything is written: the directive against the directory
as for an issue; each assignment by the programme's own nomination rule (``decide_nomination``: the member's post,
the scope, the household quota); each record within its assignment's service and the term; each assignment's events
through the assignment fold. A preview says what would be recorded; with ``confirm`` it is. The events carry the
causation ``brought-in:<the file's SHA-256, first 16>`` and the directive's stream a ``RecordBroughtIn`` with the
file's name, hash and counts; their ids are derived from their stream and version, so a retried bring-in stores
nothing twice. Reports, history and as-of then read them like any other record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict

from app.directives import resolve
from app.scopes import require_role
from app.services import Services
from directives.model import DirectiveFile, PastRecord
from directory.model import Member
from domain import ids
from domain.actors import Actor, Role
from domain.assignment import FoldError, fold, stream_of
from domain.calendar import VIETNAM, month_key, periods_ending_between
from domain.directive import DirectiveState, ResolvedDirective, directive_stream
from domain.directive_commands import Nominate, NominationItem
from domain.directive_fold import apply_directive
from domain.directive_rules import decide_nomination, issued
from domain.errors import InvalidInputError, PhancongError, WrongStateError
from domain.event import DomainEvent
from domain.events.assignment import (
    ActivityLogged,
    AssignmentEnded,
    CellJoined,
    Commended,
    CommuneAccepted,
    CorrectionIssued,
    HouseholdsTakenInCharge,
    MeetingRecorded,
    MemberGraded,
    MemberNominated,
    ReviewRequested,
)
from domain.events.directive import DirectiveClosed, NominationAccepted, RecordBroughtIn
from domain.vocabulary import ActivityKind, AssignmentKind, AttendanceMode, EndReason
from events.envelope import NewEvent

MAX_PROBLEMS = 20
Dated = tuple[date, DomainEvent]  # an event and the day it happened


class BroughtIn(BaseModel):
    """What a bring-in records (or, in a preview, would record)."""

    model_config = ConfigDict(frozen=True)

    directive_id: str
    title: str
    term_starts_on: date
    term_ends_on: date
    source: str
    source_sha256: str
    members: int
    assignments: int
    meetings: int
    activities: int
    grades: int
    commendations: int
    corrections: int
    activity_quantities: dict[str, int]
    material_support_vnd: int
    gifts_vnd: int
    by_year: dict[str, dict[str, int]]  # year -> meetings, activities, material_support_vnd, gifts_vnd
    events: int
    streams: int
    recorded: bool


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=VIETNAM).astimezone(UTC)


async def bring_in(
    s: Services,
    actor: Actor,
    directive: DirectiveFile,
    records: list[PastRecord],
    *,
    source: str,
    digest: str,
    confirm: bool,
) -> BroughtIn:
    """Check a past directive's record whole; with ``confirm``, record it (HQ)."""
    require_role(actor, Role.HQ)
    resolved = await resolve(directive, s.directory, source, s.today)
    if resolved.term_ends_on >= s.today:
        raise WrongStateError(
            f"directive {resolved.code}'s term runs to {resolved.term_ends_on}: a directive in its term is issued "
            "(phancong directive issue), only a past one is brought in"
        )
    if await s.log.read_stream(directive_stream(resolved.code)):
        raise WrongStateError(f"directive {resolved.code} is in the record already", code="already_issued")
    members = {m.id: m for m in await s.directory.members(ids=sorted({r.member for r in records}))}
    plan = _Plan(resolved, actor, f"brought-in:{digest[:16]}")
    plan.build(records, members)
    summary = plan.summary(source, digest)
    streams = plan.streams(summary)
    result = BroughtIn(
        **summary,
        events=sum(len(events) for _, events in streams),
        streams=len(streams),
        recorded=confirm,
    )
    if not confirm:
        return result
    # The assignments' streams first, the directive's last: a bring-in cut short is not "in the record" yet, and
    # its retry appends the same events (the same ids), which the store recognises.
    for stream, events in streams:
        await s.log.append(stream, 0, events)
    await s.read.catch_up()
    return result


class _Plan:
    def __init__(self, directive: ResolvedDirective, actor: Actor, causation: str) -> None:
        self.directive = directive
        self.actor = actor
        self.causation = causation
        self.state: DirectiveState = apply_directive(None, issued(directive))
        self.accepted: list[NominationAccepted] = []
        self.lives: dict[str, tuple[NominationAccepted, list[Dated]]] = {}  # member -> its events, each on its day
        self.counts: Counter[str] = Counter()
        self.quantities: Counter[str] = Counter()
        self.money: Counter[str] = Counter()
        self.years: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.problems: list[str] = []
        self.periods = {
            p.label: p
            for p in periods_ending_between(directive.term_starts_on, directive.term_ends_on, directive.policy)
        }

    def refuse(self, record: PastRecord, message: str) -> None:
        self.problems.append(f"row {record.row} ({record.record} of {record.member}): {message}")

    def build(self, records: list[PastRecord], members: Mapping[str, Member]) -> None:
        d = self.directive
        services: dict[str, tuple[date, date]] = {}
        for record in sorted((r for r in records if r.record == "assignment"), key=lambda r: (r.date, r.row)):
            self._assignment(record, members, services)
        for record in sorted((r for r in records if r.record != "assignment"), key=lambda r: (r.date, r.row)):
            served = services.get(record.member)
            if served is None:
                self.refuse(record, "the member has no assignment row in this file")
            elif not served[0] <= record.date <= served[1]:
                self.refuse(record, f"{record.date} is outside the member's service {served[0]} .. {served[1]}")
            else:
                self._fact(record)
            if len(self.problems) >= MAX_PROBLEMS:
                break
        for member, (accepted, life) in self.lives.items():
            end = services[member][1]
            reason = next(
                (r.end_reason for r in records if r.record == "assignment" and r.member == member and r.end_reason),
                EndReason.TERM_COMPLETED,
            )
            life.append((end, AssignmentEnded(reason=reason, ended_on=end, note="brought in")))
            try:
                fold(event for _, event in life)
            except (FoldError, ValueError) as broken:
                self.problems.append(f"the assignment of {member} ({accepted.assignment_id}) cannot be: {broken}")
        if not self.lives and not self.problems:
            self.problems.append("the file has no assignment row")
        if self.problems:
            raise InvalidInputError(f"{d.code}: " + "; ".join(self.problems[:MAX_PROBLEMS]))

    def _assignment(
        self, record: PastRecord, members: Mapping[str, Member], services: dict[str, tuple[date, date]]
    ) -> None:
        d = self.directive
        member = members.get(record.member)
        if member is None:
            return self.refuse(record, "no such member in the directory")
        if record.member in services:
            return self.refuse(record, "the member has an assignment row already (one per member and directive)")
        end = record.end_date or d.term_ends_on
        if not (d.term_starts_on <= record.date and end <= d.term_ends_on):
            return self.refuse(
                record, f"{record.date} .. {end} is outside the term {d.term_starts_on} .. {d.term_ends_on}"
            )
        household = d.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP
        if household != bool(record.households):
            wanted = "its households" if household else "its cell"
            return self.refuse(record, f"an assignment of {d.kind.value} names {wanted}")
        item = NominationItem(
            member_id=record.member,
            member_post_id=member.post,
            on_local_committee=member.on_local_committee,
            cell_id=None if household else record.cell,
            household_ids=record.households,
        )
        command = Nominate(actor=Actor(role=Role.POST, id=member.post), resolution="(brought in)", items=(item,))
        try:
            events = decide_nomination(self.state, command, record.date)
        except PhancongError as refused:
            return self.refuse(record, refused.message)
        for event in events:
            self.state = apply_directive(self.state, event)
            assert isinstance(event, NominationAccepted)
            self.accepted.append(event)
            self.lives[record.member] = (event, [(record.date, e) for e in _started(d, event, record.date)])
        services[record.member] = (record.date, end)
        self.counts["assignments"] += 1
        return None

    def _fact(self, record: PastRecord) -> None:
        accepted, life = self.lives[record.member]
        made: list[DomainEvent] = []  # this record's events, all on its date
        year = str(record.date.year)
        match record.record:
            case "meeting":
                assert record.attendance is not None
                made.append(
                    MeetingRecorded(
                        cell_id=accepted.cell_id, month=month_key(record.date), meeting_on=record.date,
                        attendance=record.attendance, note=record.text,
                    )
                )  # fmt: skip
                self.counts["meetings"] += 1
                self.years[year]["meetings"] += 1
            case "activity":
                assert record.kind is not None
                made.append(
                    ActivityLogged(
                        activity_on=record.date, kind=record.kind, quantity=record.quantity,
                        amount_vnd=record.amount_vnd, household_ids=record.households, note=record.text,
                    )
                )  # fmt: skip
                self.counts["activities"] += 1
                self.quantities[record.kind.value] += record.quantity
                self.years[year]["activities"] += 1
                if record.kind in (ActivityKind.MATERIAL_SUPPORT, ActivityKind.GIFT):
                    key = "material_support_vnd" if record.kind == ActivityKind.MATERIAL_SUPPORT else "gifts_vnd"
                    self.money[key] += record.amount_vnd
                    self.years[year][key] += record.amount_vnd
            case "grade":
                assert record.grade is not None
                assert record.period is not None
                period = self.periods.get(record.period)
                if period is None:
                    known = ", ".join(list(self.periods)[:8])
                    self.refuse(record, f"period {record.period} is none of the directive's ({known}, …)")
                    return
                if not any(isinstance(e, ReviewRequested) and e.period == period.label for _, e in life):
                    made.append(
                        ReviewRequested(
                            key=f"review:{period.label}", period=period.label, period_kind=period.kind,
                            starts_on=period.starts_on, ends_on=period.ends_on,
                            due_on=period.ends_on + timedelta(days=self.directive.policy.review_submission_days),
                        )
                    )  # fmt: skip
                made.append(MemberGraded(period=record.period, grade=record.grade, note=record.text))
                self.counts["grades"] += 1
            case "commendation":
                made.append(Commended(period=record.period, reason=record.text))
                self.counts["commendations"] += 1
            case "correction":
                self.counts["corrections"] += 1
                rounds = sum(isinstance(e, CorrectionIssued) for _, e in life) + 1
                made.append(
                    CorrectionIssued(
                        round=rounds, period=record.period, reason=record.text, issued_on=record.date,
                        follow_up_on=record.date + timedelta(days=self.directive.policy.correction_follow_up_days),
                    )
                )  # fmt: skip
        life.extend((record.date, event) for event in made)

    def summary(self, source: str, digest: str) -> dict[str, object]:
        d = self.directive
        return {
            "directive_id": d.code,
            "title": d.title,
            "term_starts_on": d.term_starts_on,
            "term_ends_on": d.term_ends_on,
            "source": source,
            "source_sha256": digest,
            "members": len(self.lives),
            "assignments": self.counts["assignments"],
            "meetings": self.counts["meetings"],
            "activities": self.counts["activities"],
            "grades": self.counts["grades"],
            "commendations": self.counts["commendations"],
            "corrections": self.counts["corrections"],
            "activity_quantities": {k.value: self.quantities.get(k.value, 0) for k in ActivityKind},
            "material_support_vnd": self.money["material_support_vnd"],
            "gifts_vnd": self.money["gifts_vnd"],
            "by_year": {y: dict(sorted(c.items())) for y, c in sorted(self.years.items())},
        }

    def streams(self, summary: dict[str, object]) -> list[tuple[str, list[NewEvent[DomainEvent]]]]:
        """Each assignment's stream, then the directive's: every event on its business date (9:00, Viet Nam)."""
        d = self.directive
        out: list[tuple[str, list[NewEvent[DomainEvent]]]] = []
        for accepted, life in (self.lives[m] for m in sorted(self.lives)):
            stream = stream_of(accepted.assignment_id)
            out.append((stream, [self._new(stream, n, on, e, accepted) for n, (on, e) in enumerate(life, start=1)]))
        kinds = ("assignments", "meetings", "activities", "grades", "commendations", "corrections")
        brought = RecordBroughtIn(
            source=str(summary["source"]),
            source_sha256=str(summary["source_sha256"]),
            **{k: self.counts[k] for k in kinds},
        )
        closed = DirectiveClosed(
            closed_on=d.term_ends_on, reason="brought in: the term had ended", ended_assignments=len(self.lives)
        )
        directive_events: list[Dated] = [
            (d.issued_on, issued(d)),
            *((a.nominated_on, a) for a in self.accepted),
            (d.term_ends_on, brought),
            (d.term_ends_on, closed),
        ]
        stream = directive_stream(d.code)
        out.append((stream, [self._new(stream, n, on, e, None) for n, (on, e) in enumerate(directive_events, start=1)]))
        return out

    def _new(
        self, stream: str, version: int, on: date, event: DomainEvent, accepted: NominationAccepted | None
    ) -> NewEvent[DomainEvent]:
        return NewEvent(
            event_id=ids.event_id(stream, version),
            payload=event,
            occurred_at=_at(on),
            actor=self.actor,
            directive_id=self.directive.code,
            causation_id=self.causation,
            member_id=accepted.member_id if accepted else getattr(event, "member_id", None),
            cell_id=accepted.cell_id if accepted else getattr(event, "cell_id", None),
        )


def _started(d: ResolvedDirective, n: NominationAccepted, on: date) -> list[DomainEvent]:
    """An assignment's first events: nominated, accepted by its commune and serving from ``on``."""
    nominated = MemberNominated(
        assignment_id=n.assignment_id, directive_id=d.code, kind=d.kind, member_id=n.member_id, post_id=n.post_id,
        commune_id=n.commune_id, cell_id=n.cell_id, household_group_id=n.household_group_id,
        household_ids=n.household_ids, on_local_committee=n.on_local_committee, resolution=n.resolution,
        nominated_on=on,
    )  # fmt: skip
    accepted = CommuneAccepted(commune_id=n.commune_id, cell_id=n.cell_id, accepted_on=on, join_on=on)
    if d.kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP:
        serving: DomainEvent = HouseholdsTakenInCharge(
            household_group_id=n.household_group_id or n.cell_id, household_ids=n.household_ids, started_on=on
        )
    else:
        serving = CellJoined(cell_id=n.cell_id, joined_on=on, attendance_mode=AttendanceMode.ATTEND)
    return [nominated, accepted, serving]
