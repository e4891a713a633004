"""Each report figure computed from the scenario's own ledger and the directory file, without phancong."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import yaml

from directory.model import HouseholdTag
from tests.reports.scenario import ACTIVITY_KINDS, CELL_PLAN, HOUSEHOLD_PLAN, Ledger
from tests.world import EXAMPLES

DIRECTORY = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
CELLS = {c["id"]: c for c in DIRECTORY["cells"]}
HOUSEHOLDS = {h["id"]: h for h in DIRECTORY["households"]}
POST_COMMUNES = {p["id"]: set(p["communes"]) for p in DIRECTORY["posts"]}
PRIORITY = {"bordering", "complex_security", "weak", "zero_member_village"}
SCOPE_COMMUNES = {"TT-TIEM-TOM", "XA-AN-THUY", "XA-BAO-THUAN"}  # examples/directive-cells.yaml
HOUSEHOLD_COMMUNES = {"TT-TIEM-TOM", "XA-BAO-THUAN"}  # examples/directive-households.yaml
NOMINATION_DAYS = 15
MEETING_RECORD_DAYS = 3


def _within(day: date, start: date, end: date) -> bool:
    return start <= day <= end


def _end_of(ledger: Ledger, member: str) -> date:
    assert ledger.term_ends_on is not None
    return ledger.ended[member][0] if member in ledger.ended else ledger.term_ends_on


def _serving_on(ledger: Ledger, member: str, day: date) -> bool:
    return member in ledger.joined and ledger.joined[member] <= day <= _end_of(ledger, member)


def _common(ledger: Ledger, members: set[str], start: date, end: date) -> dict[str, Any]:
    activities: Counter[str] = Counter()
    vnd: Counter[str] = Counter()
    for member, day, kind, quantity, amount in ledger.activities:
        if member in members and _within(day, start, end):
            activities[kind] += quantity
            vnd[kind] += amount
    meetings = Counter(a for m, day, a in ledger.meetings if m in members and _within(day, start, end))
    grades = [(m, g, f) for m, day, g, f in ledger.grades if m in members and _within(day, start, end)]
    return {
        "members_participating": sum(
            1 for m in members if m in ledger.joined and ledger.joined[m] <= end and _end_of(ledger, m) >= start
        ),
        "activities": {k: activities[k] for k in ACTIVITY_KINDS},
        "material_support_vnd": vnd["material_support"],
        "gifts_vnd": vnd["gift"],
        "meetings_recorded": sum(meetings.values()),
        "meetings_present": meetings["present"],
        "meetings_excused": meetings["excused"],
        "meetings_absent": meetings["absent"],
        "appraisals": sum(1 for m, day in ledger.appraisals if m in members and _within(day, start, end)),
        "grades": {
            g: sum(1 for _, gg, _ in grades if gg == g) for g in ("excellent", "good", "completed", "not_completed")
        },
        # HQ's own commendations, and every excellent grade of a regular period (the programme's rule).
        "commendations": sum(1 for m, day in ledger.commendations if m in members and _within(day, start, end))
        + sum(1 for _, g, follow_up in grades if g == "excellent" and not follow_up),
        "corrections": sum(1 for m, day in ledger.corrections if m in members and _within(day, start, end)),
        "rotations": sum(1 for m, day in ledger.rotations if m in members and _within(day, start, end)),
    }


def cells_report(
    ledger: Ledger, start: date, end: date, post: str | None = None, *, closed: bool = False
) -> dict[str, Any]:
    members = {m for m, (p, _, _) in CELL_PLAN.items() if post is None or p == post}
    communes = SCOPE_COMMUNES & (POST_COMMUNES[post] if post else SCOPE_COMMUNES)
    in_scope = {c: cell for c, cell in CELLS.items() if cell["commune"] in communes}
    covered = {CELL_PLAN[m][1] for m in members if _serving_on(ledger, m, end)} & set(in_scope)
    by_category: dict[str, list[int]] = {}
    for c, cell in in_scope.items():
        for category in cell.get("categories") or ["none"]:
            by_category.setdefault(category, [0, 0])
            by_category[category][0] += c in covered
            by_category[category][1] += 1
    priority = {c for c, cell in in_scope.items() if PRIORITY & set(cell.get("categories") or [])}
    common = _common(ledger, members, start, end)
    return {
        **common,
        "members_in_cells": common["members_participating"],  # a cell directive's members all take part in cells
        "cells_in_scope": len(in_scope),
        "cells_covered": len(covered),
        "cells_by_category": by_category,
        "priority_cells": len(priority),
        "priority_cells_covered": len(priority & covered),
        "communes_in_scope": len({cell["commune"] for cell in in_scope.values()}),
        "communes_covered": len({in_scope[c]["commune"] for c in covered}),
        "members_sponsoring": 0,
        "households_in_charge": 0,
        "villages_sponsored": 0,
        "overdue_tasks": 0 if closed else _overdue(ledger, end, post),
    }


def _overdue(ledger: Ledger, end: date, post: str | None) -> int:
    """Tasks open at the time of the report (the last day of the period) and past their deadline."""
    assert ledger.issued_on is not None
    late = 0
    member = "DV-BT-01"  # whose cell never recorded one meeting
    if ledger.skipped_meeting and ledger.skipped_meeting + timedelta(days=MEETING_RECORD_DAYS) < end:
        late += post in (None, CELL_PLAN[member][0])
    for p in ("DBP-HAM-LUONG", "DBP-BA-TRI"):
        if post not in (None, p):
            continue
        cells = {c for c, cell in CELLS.items() if cell["commune"] in SCOPE_COMMUNES & POST_COMMUNES[p]}
        claimed = {
            cell for m, (pp, cell, _) in CELL_PLAN.items() if pp == p and m != "DV-HL-04" and m not in ledger.ended
        }
        if cells - claimed and ledger.issued_on + timedelta(days=NOMINATION_DAYS) < end:
            late += 1  # the post's nomination, for the cells nobody serves
        # A replacement is asked for a member the commune declined (or a post lost); a rotation out without a
        # rotation falling due asks none (the programme asks for it when the rotation falls due).
        replacements = [ledger.declined_on] if p == "DBP-HAM-LUONG" and ledger.declined_on else []
        replacements += [
            day for m, (day, reason) in ledger.ended.items() if CELL_PLAN[m][0] == p and reason != "rotated"
        ]
        late += sum(1 for day in replacements if day + timedelta(days=NOMINATION_DAYS) < end)
    return late


def households_report(ledger: Ledger, start: date, end: date) -> dict[str, Any]:
    members = set(HOUSEHOLD_PLAN)
    in_charge = [h for m, (_, hs, _) in HOUSEHOLD_PLAN.items() if _serving_on(ledger, m, end) for h in hs]
    tags = Counter(t for h in in_charge for t in HOUSEHOLDS[h].get("tags", []))
    in_scope = [h for h, hh in HOUSEHOLDS.items() if CELLS[hh["cell"]]["commune"] in HOUSEHOLD_COMMUNES]
    common = _common(ledger, members, start, end)
    return {
        **common,
        # a household directive covers no cell: its members sponsor households, in the villages they live in
        "members_in_cells": 0,
        "members_sponsoring": common["members_participating"],
        "cells_in_scope": 0,
        "cells_covered": 0,
        "villages_in_scope": len({HOUSEHOLDS[h]["cell"] for h in in_scope}),
        "villages_sponsored": len({HOUSEHOLDS[h]["cell"] for h in in_charge}),
        "households_in_scope": len(in_scope),
        "households_in_charge": len(in_charge),
        "household_members": len({m for m, (_, hs, _) in HOUSEHOLD_PLAN.items() if _serving_on(ledger, m, end)}),
        "households_by_tag": {t.value: tags.get(t.value, 0) for t in HouseholdTag},  # HQ: every tag, 0 included
    }
