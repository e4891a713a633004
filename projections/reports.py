"""The read models behind HQ's figures: one fact row per meeting, activity and outcome event; and, per
directive, its cells (coverage), its members and the households in charge, recomputed for what a batch
touched. They run after the assignment and directive projections, in the same transaction, and read those
tables for what an event does not carry itself (the post and commune of its assignment).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from domain.calendar import local_date
from domain.directive import PRIORITY_CATEGORIES
from domain.events.assignment import (
    ActivityLogged,
    AppraisalSubmitted,
    AssignmentEnded,
    Commended,
    CorrectionIssued,
    FollowUpReviewed,
    MeetingRecorded,
    MemberGraded,
    RotationDue,
)
from events import RecordedEvent


def _outcome(event: RecordedEvent) -> tuple[str, str | None, str | None, bool | None, str | None] | None:
    """(kind, period, grade, passed, reason) of an outcome event; None for the others."""
    match event.payload:
        case AppraisalSubmitted(period=period):
            return "appraisal", period, None, None, None
        case MemberGraded(period=period, grade=grade):
            return "grade", period, grade.value, None, None
        case FollowUpReviewed(period=period, grade=grade, passed=passed):
            return "follow_up", period, grade.value, passed, None
        case Commended(period=period, reason=reason):
            return "commendation", period, None, None, reason
        case CorrectionIssued(period=period, reason=reason):
            return "correction", period, None, None, reason
        case RotationDue():
            return "rotation_due", None, None, None, None
        case AssignmentEnded(reason=reason):
            return "ended", None, None, None, reason.value
    return None


class FactsProjection:
    name = "facts"
    tables: tuple[str, ...] = ("rm_meetings", "rm_activities", "rm_outcomes")

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        mine = [
            e
            for e in events
            if e.stream_id.startswith("assignment-")
            and (isinstance(e.payload, MeetingRecorded | ActivityLogged) or _outcome(e) is not None)
        ]
        if not mine:
            return
        ids = sorted({e.stream_id.removeprefix("assignment-") for e in mine})
        rows = await conn.fetch(
            "SELECT assignment_id, directive_id, member_id, post_id, commune_id, simulated FROM rm_assignments "
            "WHERE assignment_id = ANY($1)",
            ids,
        )
        of = {r["assignment_id"]: r for r in rows}
        meetings: list[tuple[Any, ...]] = []
        activities: list[tuple[Any, ...]] = []
        outcomes: list[tuple[Any, ...]] = []
        for e in mine:
            a = of[e.stream_id.removeprefix("assignment-")]
            who = (e.event_id, e.global_position, a["assignment_id"], a["directive_id"], a["member_id"])
            where = (a["post_id"], a["commune_id"], e.cell_id or "")
            match e.payload:
                case MeetingRecorded() as m:
                    contributions = [c.value for c in m.contributions]
                    meetings.append(
                        (*who, *where, m.month, m.meeting_on, m.attendance.value, contributions, a["simulated"])
                    )
                case ActivityLogged() as x:
                    activities.append(
                        (*who, *where, x.activity_on, x.kind.value, x.quantity, x.amount_vnd, list(x.household_ids),
                         a["simulated"])
                    )  # fmt: skip
                case _:
                    outcome = _outcome(e)
                    assert outcome is not None
                    outcomes.append((*who, *where, local_date(e.occurred_at), *outcome, a["simulated"]))
        columns = "event_id, position, assignment_id, directive_id, member_id, post_id, commune_id, cell_id"
        await conn.executemany(
            f"INSERT INTO rm_meetings ({columns}, month, meeting_on, attendance, contributions, simulated) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (event_id) DO NOTHING",
            meetings,
        )
        await conn.executemany(
            f"INSERT INTO rm_activities ({columns}, activity_on, kind, quantity, amount_vnd, household_ids, "
            "simulated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
            "ON CONFLICT (event_id) DO NOTHING",
            activities,
        )
        await conn.executemany(
            f"INSERT INTO rm_outcomes ({columns}, happened_on, kind, period, grade, passed, reason, simulated) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
            "ON CONFLICT (event_id) DO NOTHING",
            outcomes,
        )


_CELLS = """
WITH scope AS (
    SELECT d.directive_id, c ->> 'id' AS cell_id, c ->> 'commune_id' AS commune_id,
           coalesce(c ->> 'name', '') AS name,
           ARRAY(SELECT jsonb_array_elements_text(c -> 'categories') ORDER BY 1) AS categories, d.simulated
    FROM rm_directives d, jsonb_array_elements(d.state -> 'directive' -> 'cells') c
    WHERE d.directive_id = ANY($1::text[])
       OR (d.directive_id, c ->> 'id') IN (SELECT * FROM unnest($2::text[], $3::text[]))
)
INSERT INTO rm_cells (directive_id, cell_id, commune_id, name, categories, priority, members_serving, assignments,
                      covered, simulated)
SELECT s.directive_id, s.cell_id, s.commune_id, s.name, s.categories, s.categories && $4::text[],
       count(DISTINCT a.member_id) FILTER (WHERE a.stage IN ('active', 'paused')),
       count(a.assignment_id),
       count(a.assignment_id) FILTER (WHERE a.stage IN ('active', 'paused')) > 0,
       s.simulated
FROM scope s
LEFT JOIN rm_assignments a ON a.directive_id = s.directive_id AND a.cell_id = s.cell_id
GROUP BY s.directive_id, s.cell_id, s.commune_id, s.name, s.categories, s.simulated
"""

_MEMBERS = """
INSERT INTO rm_members (directive_id, member_id, post_id, assignments, serving, serving_cell_id, households,
                        meetings_recorded, meetings_present, last_grade, commendations, corrections, simulated)
SELECT a.directive_id, a.member_id, min(a.post_id), count(*),
       bool_or(a.stage IN ('active', 'paused')),
       (array_agg(a.cell_id ORDER BY a.position DESC) FILTER (WHERE a.stage IN ('active', 'paused')))[1],
       coalesce(sum(cardinality(a.household_ids)) FILTER (WHERE a.stage IN ('active', 'paused')), 0),
       (SELECT count(*) FROM rm_meetings m WHERE m.directive_id = a.directive_id AND m.member_id = a.member_id),
       (SELECT count(*) FROM rm_meetings m
        WHERE m.directive_id = a.directive_id AND m.member_id = a.member_id AND m.attendance = 'present'),
       (SELECT o.grade FROM rm_outcomes o
        WHERE o.directive_id = a.directive_id AND o.member_id = a.member_id AND o.kind = 'grade'
        ORDER BY o.position DESC LIMIT 1),
       (SELECT count(*) FROM rm_outcomes o
        WHERE o.directive_id = a.directive_id AND o.member_id = a.member_id AND o.kind = 'commendation'),
       (SELECT count(*) FROM rm_outcomes o
        WHERE o.directive_id = a.directive_id AND o.member_id = a.member_id AND o.kind = 'correction'),
       bool_or(a.simulated)
FROM rm_assignments a
WHERE (a.directive_id, a.member_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
GROUP BY a.directive_id, a.member_id
"""

_HOUSEHOLDS = """
INSERT INTO rm_households (directive_id, household_id, assignment_id, member_id, post_id, commune_id, cell_id,
                           started_on, ended_on, simulated)
SELECT a.directive_id, h, a.assignment_id, a.member_id, a.post_id, a.commune_id, a.cell_id, a.joined_on,
       a.ended_on, a.simulated
FROM rm_assignments a, unnest(a.household_ids) h
WHERE a.assignment_id = ANY($1::text[])
"""


class SummaryProjection:
    """Cells, members and households of each directive, recomputed for the keys a batch touched."""

    name = "summaries"
    tables: tuple[str, ...] = ("rm_cells", "rm_members", "rm_households")

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        assignments = sorted(
            {e.stream_id.removeprefix("assignment-") for e in events if e.stream_id.startswith("assignment-")}
        )
        directives = sorted(
            {e.stream_id.removeprefix("directive-") for e in events if e.stream_id.startswith("directive-")}
        )
        if not assignments and not directives:
            return
        rows = await conn.fetch(
            "SELECT directive_id, member_id, state ->> 'cell_id' AS asked, cell_id FROM rm_assignments "
            "WHERE assignment_id = ANY($1)",
            assignments,
        )
        cells = sorted({(r["directive_id"], c) for r in rows for c in (r["asked"], r["cell_id"]) if c})
        members = sorted({(r["directive_id"], r["member_id"]) for r in rows})
        cell_directives, cell_ids = [d for d, _ in cells], [c for _, c in cells]
        await conn.execute(
            "DELETE FROM rm_cells WHERE directive_id = ANY($1::text[]) "
            "OR (directive_id, cell_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
            directives,
            cell_directives,
            cell_ids,
        )
        await conn.execute(_CELLS, directives, cell_directives, cell_ids, sorted(PRIORITY_CATEGORIES))
        member_directives, member_ids = [d for d, _ in members], [m for _, m in members]
        await conn.execute(
            "DELETE FROM rm_members WHERE (directive_id, member_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            member_directives,
            member_ids,
        )
        await conn.execute(_MEMBERS, member_directives, member_ids)
        await conn.execute("DELETE FROM rm_households WHERE assignment_id = ANY($1::text[])", assignments)
        await conn.execute(_HOUSEHOLDS, assignments)
