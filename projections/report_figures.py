"""HQ's figures (DOMAIN.md, "What HQ reports"), straight from the read models, for a directive, a post, a
commune or the province, over a period (``app.ports.Reports`` on PostgreSQL; ``app.reports`` the use case).

The definitions of every figure are ``app.reports``'s docstring (and the README's).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from app.directory import require_vault
from app.ports import HouseholdVault
from app.reports import ACTIVITY_KINDS, CATEGORY_ORDER, Figures, ReportRangeError, Scope
from app.scopes import counts_by_tag
from directory.model import SENSITIVE_TAGS
from domain.directive import PRIORITY_CATEGORIES
from domain.errors import NotFoundError
from infra.postgres import Pool

_ASSIGNMENTS = """
SELECT * FROM rm_assignments a
WHERE a.directive_id = ANY($1::text[])
  AND ($2::text IS NULL OR a.post_id = $2) AND ($3::text IS NULL OR a.commune_id = $3)
"""


class PostgresReports:
    """HQ's figures from the read models (``app.ports.Reports``): every figure but the overdue tasks, which the
    use case counts from the open tasks (``Figures.scoped_assignments`` says whose)."""

    def __init__(self, pool: Pool, vault: HouseholdVault | None = None) -> None:
        self._pool = pool
        self._vault = vault

    async def figures(self, scope: Scope, may_see_sensitive: bool, today: date) -> Figures:
        return await figures(self._pool, scope, may_see_sensitive, today, self._vault)


async def _tags(vault: HouseholdVault | None, rows: list[Any], sensitive: bool) -> Counter[str]:
    """Households' tags counted: the clear ones; for a reader allowed them, the sealed sensitive ones too (an erased
    household's are gone, and counted nowhere)."""
    tags: Counter[str] = Counter(t for r in rows for t in _json_list(r["tags"]) if t not in SENSITIVE_TAGS)
    if sensitive:
        entries = [(r["household_id"], _json_dict(r["data"])) for r in rows if r["data"] is not None]
        for secret in await require_vault(vault).open(entries):
            tags.update(secret.get("tags", []) if secret else [])
    return tags


async def figures(
    pool: Pool, scope: Scope, may_see_sensitive: bool, today: date, vault: HouseholdVault | None = None
) -> Figures:
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
    in_scope = {
        c["id"]: c
        for r in directives
        for c in r["d"]["cells"]
        if (commune is None or c["commune_id"] == commune)
        and (communes_of_post is None or c["commune_id"] in communes_of_post)
    }
    serving_at_end = await pool.fetch(
        f"SELECT DISTINCT cell_id FROM ({_ASSIGNMENTS}) a "
        "WHERE a.joined_on <= $4 AND (a.ended_on IS NULL OR a.ended_on >= $4)",
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

    members = await pool.fetchval(
        f"SELECT count(DISTINCT member_id) FROM ({_ASSIGNMENTS}) a "
        "WHERE a.joined_on <= $5 AND (a.ended_on IS NULL OR a.ended_on >= $4)",
        *args,
        start,
        end,
    )
    households = await pool.fetch(
        "SELECT h.household_id, h.member_id, d.data -> 'tags' AS tags, d.data FROM rm_households h "
        "LEFT JOIN directory_entries d ON d.kind = 'household' AND d.entry_id = h.household_id "
        "WHERE h.directive_id = ANY($1::text[]) AND ($2::text IS NULL OR h.post_id = $2) "
        "AND ($3::text IS NULL OR h.commune_id = $3) "
        "AND h.started_on <= $4 AND (h.ended_on IS NULL OR h.ended_on >= $4)",
        *args,
        end,
    )
    in_charge = {r["household_id"]: r for r in households}
    tags = await _tags(vault, list(in_charge.values()), may_see_sensitive)
    by_tag = counts_by_tag(tags, sensitive=may_see_sensitive)
    household_communes = [_cell_commune(r, h["cell_id"]) for r in directives for h in r["d"].get("households") or []]
    households_in_scope = sum(
        1
        for c in household_communes
        if (commune is None or c == commune) and (communes_of_post is None or c in communes_of_post)
    )

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
        members_participating=members,
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
        households_by_tag=by_tag,
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


def _json_list(value: object) -> list[str]:
    if value is None:
        return []
    parsed = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def _json_dict(value: object) -> dict[str, Any]:
    parsed = json.loads(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, dict) else {}


def _cell_commune(directive: dict[str, Any], cell_id: str) -> str | None:
    d = directive["d"]
    for c in list(d["cells"]) + list(d.get("commune_cells") or []):
        if c["id"] == cell_id:
            return str(c["commune_id"])
    return None
