"""HQ's figures (DOMAIN.md, "What HQ reports"), straight from the read models, for a directive, a post, a
commune or the province, over a period (``app.ports.Reports`` on PostgreSQL; ``app.reports`` the use case).

The definitions of every figure are ``app.reports``'s docstring (and the README's).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

import asyncpg

from app.reports import ACTIVITY_KINDS, CATEGORY_ORDER, Figures, ReportRangeError, Scope
from domain.calendar import local_date
from domain.directive import PRIORITY_CATEGORIES
from domain.errors import NotFoundError
from domain.vocabulary import AssignmentKind
from events import EventStore
from infra.postgres import Pool
from projections.assignments import AssignmentProjection, DirectiveProjection
from projections.reports import FactsProjection, SummaryProjection

_ASSIGNMENTS = """
SELECT * FROM rm_assignments a
WHERE a.directive_id = ANY($1::text[])
  AND ($2::text IS NULL OR a.post_id = $2) AND ($3::text IS NULL OR a.commune_id = $3)
"""


class PostgresReports:
    """HQ's figures from the read models (``app.ports.Reports``): every figure but the overdue tasks, which the
    use case counts from the open tasks (``Figures.scoped_assignments`` says whose)."""

    def __init__(self, pool: Pool, store: EventStore) -> None:
        self._pool = pool
        self._store = store

    async def figures(self, scope: Scope, today: date, as_of: datetime | None = None) -> Figures:
        if as_of is None:
            return await figures(self._pool, scope, today)
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            await as_it_stood(conn, self._store, scope.directive, as_of)
            return await figures(conn, scope, local_date(as_of))


# The read models the figures come from, and the projections that keep them, in the projector's order.
AS_OF_PROJECTIONS = (AssignmentProjection(), DirectiveProjection(), FactsProjection(), SummaryProjection())
_BATCH = 2000
CELL_PARTICIPATION = AssignmentKind.CELL_PARTICIPATION.value


async def as_it_stood(conn: asyncpg.Connection, store: EventStore, directive: str | None, as_of: datetime) -> int:
    """Make, in this transaction only, the report's read models as they stood at ``as_of``: temporary tables of the
    same names (which the connection then reads before the live ones) filled by the projectors themselves from the
    events recorded before that instant (of ``directive``, or of every directive). The position they stop at."""
    position: int = await conn.fetchval(
        "SELECT coalesce(max(global_position), 0) FROM events "
        "WHERE recorded_at < $1 AND global_position < phancong_settled_position()",
        as_of,
    )
    for table in (t for p in AS_OF_PROJECTIONS for t in p.tables):
        await conn.execute(f"CREATE TEMPORARY TABLE {table} (LIKE public.{table} INCLUDING ALL) ON COMMIT DROP")
    after = 0
    while batch := await store.read_directives(
        directive, after_position=after, through_position=position, limit=_BATCH, connection=conn
    ):
        for projection in AS_OF_PROJECTIONS:
            await projection.apply(conn, batch)
        after = batch[-1].global_position
    return position


async def figures(pool: Pool | asyncpg.Connection, scope: Scope, today: date) -> Figures:
    rows = await pool.fetch(
        "SELECT directive_id, title, status, state -> 'directive' AS d FROM rm_directives "
        "WHERE ($1::text IS NULL OR directive_id = $1) AND ($1::text IS NOT NULL OR simulated = $2 OR NOT simulated) "
        "ORDER BY directive_id",
        scope.directive,
        scope.simulated,
    )
    if not rows:
        raise NotFoundError(f"no directive {scope.directive}" if scope.directive else "no directive yet")
    directives = [
        {"directive_id": r["directive_id"], "title": r["title"], "open": r["status"] == "open", "d": json.loads(r["d"])}
        for r in rows
    ]
    codes = [r["directive_id"] for r in directives]
    starts = [date.fromisoformat(r["d"]["term_starts_on"]) for r in directives]
    ends = [date.fromisoformat(r["d"]["term_ends_on"]) for r in directives]
    start = scope.start or min(starts)
    # By default the period runs to the end of the term, or to today while a directive is still open.
    end = scope.end or (min(max(ends), today) if any(r["open"] for r in directives) else max(ends))
    if start > end:
        hint = "" if scope.end or scope.start else " (the term has not started yet: give --from and --to)"
        raise ReportRangeError(f"the period starts ({start}) after it ends ({end}){hint}")
    post, commune = scope.post, scope.commune
    args = (codes, post, commune)

    communes_of_post: set[str] | None = None
    if post is not None:
        communes_of_post = {c for r in directives for p in r["d"]["posts"] if p["id"] == post for c in p["commune_ids"]}
    # Cells are covered by cell participation; a household directive's cells are the villages its households live in.
    in_scope = {
        c["id"]: c
        for r in directives
        if r["d"].get("kind", CELL_PARTICIPATION) == CELL_PARTICIPATION
        for c in r["d"]["cells"]
        if (commune is None or c["commune_id"] == commune)
        and (communes_of_post is None or c["commune_id"] in communes_of_post)
    }
    serving_at_end = await pool.fetch(
        f"SELECT DISTINCT cell_id FROM ({_ASSIGNMENTS}) a "
        "WHERE a.kind = 'cell_participation' AND a.joined_on <= $4 AND (a.ended_on IS NULL OR a.ended_on >= $4)",
        *args,
        end,
    )
    covered = {r["cell_id"] for r in serving_at_end} & set(in_scope)
    categories: dict[str, tuple[int, int]] = {}
    for cell_id, cell in in_scope.items():
        for category in cell.get("categories") or ["none"]:
            was = categories.get(category, (0, 0))
            categories[category] = (was[0] + (cell_id in covered), was[1] + 1)
    priority = {c for c, cell in in_scope.items() if _priority(cell.get("categories") or [])}

    serving = await pool.fetch(
        f"SELECT DISTINCT member_id, kind FROM ({_ASSIGNMENTS}) a "
        "WHERE a.joined_on <= $5 AND (a.ended_on IS NULL OR a.ended_on >= $4)",
        *args,
        start,
        end,
    )
    members = len({r["member_id"] for r in serving})
    in_cells = len({r["member_id"] for r in serving if r["kind"] == CELL_PARTICIPATION})
    sponsoring = len({r["member_id"] for r in serving if r["kind"] != CELL_PARTICIPATION})
    households = await pool.fetch(
        "SELECT h.household_id, h.member_id, h.cell_id FROM rm_households h "
        "WHERE h.directive_id = ANY($1::text[]) AND ($2::text IS NULL OR h.post_id = $2) "
        "AND ($3::text IS NULL OR h.commune_id = $3) "
        "AND h.started_on <= $4 AND (h.ended_on IS NULL OR h.ended_on >= $4)",
        *args,
        end,
    )
    in_charge = {r["household_id"]: r for r in households}
    households_of_scope = [
        h
        for r in directives
        for h in r["d"].get("households") or []
        if (c := _cell_commune(r, h["cell_id"])) is not None
        and (commune is None or c == commune)
        and (communes_of_post is None or c in communes_of_post)
    ]
    households_in_scope = len(households_of_scope)

    activity_rows = await pool.fetch(
        "SELECT kind, sum(quantity) AS quantity, sum(amount_vnd) AS amount FROM rm_activities "
        "WHERE directive_id = ANY($1::text[]) AND ($2::text IS NULL OR post_id = $2) "
        "AND ($3::text IS NULL OR commune_id = $3) AND activity_on BETWEEN $4 AND $5 GROUP BY kind",
        *args,
        start,
        end,
    )
    quantity = {r["kind"]: int(r["quantity"]) for r in activity_rows}
    amount = {r["kind"]: int(r["amount"]) for r in activity_rows}
    attendance = {
        r["attendance"]: r["n"]
        for r in await pool.fetch(
            "SELECT attendance, count(*) AS n FROM rm_meetings WHERE directive_id = ANY($1::text[]) "
            "AND ($2::text IS NULL OR post_id = $2) AND ($3::text IS NULL OR commune_id = $3) "
            "AND meeting_on BETWEEN $4 AND $5 GROUP BY attendance",
            *args,
            start,
            end,
        )
    }
    outcome_rows = await pool.fetch(
        "SELECT kind, grade, reason, count(*) AS n FROM rm_outcomes WHERE directive_id = ANY($1::text[]) "
        "AND ($2::text IS NULL OR post_id = $2) AND ($3::text IS NULL OR commune_id = $3) "
        "AND happened_on BETWEEN $4 AND $5 GROUP BY kind, grade, reason",
        *args,
        start,
        end,
    )
    outcomes: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    for r in outcome_rows:
        outcomes[r["kind"]] += r["n"]
        if r["kind"] == "grade":
            grades[r["grade"]] += r["n"]
        if r["kind"] == "ended" and r["reason"] == "rotated":
            outcomes["rotated"] += r["n"]
    scoped_assignments = {
        r["assignment_id"] for r in await pool.fetch(f"SELECT assignment_id FROM ({_ASSIGNMENTS}) a", *args)
    }
    return Figures(
        directives=codes,
        title=directives[0]["title"] if len(directives) == 1 else None,
        start=start,
        end=end,
        post=post,
        commune=commune,
        outside_terms=all(end < s or start > e for s, e in zip(starts, ends, strict=True)),
        members_participating=members,
        members_in_cells=in_cells,
        members_sponsoring=sponsoring,
        villages_in_scope=len({h["cell_id"] for h in households_of_scope}),
        villages_sponsored=len({r["cell_id"] for r in in_charge.values()}),
        cells_in_scope=len(in_scope),
        cells_covered=len(covered),
        cells_by_category={c: categories[c] for c in CATEGORY_ORDER if c in categories},
        priority_cells=len(priority),
        priority_cells_covered=len(priority & covered),
        communes_in_scope=len({c["commune_id"] for c in in_scope.values()}),
        communes_covered=len({in_scope[c]["commune_id"] for c in covered}),
        households_in_scope=households_in_scope,
        households_in_charge=len(in_charge),
        household_members=len({r["member_id"] for r in in_charge.values()}),
        households_by_tag={},  # the use case counts them, from the directory as it stood on the period's last day
        households_in_charge_ids=sorted(in_charge),
        activities={k: quantity.get(k, 0) for k in ACTIVITY_KINDS},
        material_support_vnd=amount.get("material_support", 0),
        gifts_vnd=amount.get("gift", 0),
        meetings_recorded=sum(attendance.values()),
        meetings_present=attendance.get("present", 0),
        meetings_excused=attendance.get("excused", 0),
        meetings_absent=attendance.get("absent", 0),
        appraisals=outcomes["appraisal"],
        grades={g: grades.get(g, 0) for g in ("excellent", "good", "completed", "not_completed")},
        commendations=outcomes["commendation"],
        corrections=outcomes["correction"],
        rotations=outcomes["rotated"],
        overdue_tasks=0,
        scoped_assignments=sorted(scoped_assignments),
    )


def _priority(categories: list[str]) -> bool:
    return bool(PRIORITY_CATEGORIES & set(categories))


def _cell_commune(directive: dict[str, Any], cell_id: str) -> str | None:
    d = directive["d"]
    for c in list(d["cells"]) + list(d.get("commune_cells") or []):
        if c["id"] == cell_id:
            return str(c["commune_id"])
    return None
