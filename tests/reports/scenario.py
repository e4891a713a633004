"""A directive driven through the public CLI for months, with every input written down in a ledger, so that
the test can compute each report figure itself, from what it did, and compare.

The example province (examples/directory.yaml): Hàm Luông's post sends DV-HL-01, -02, -03 to three cells of
Tiệm Tôm and DV-HL-04 to An Thủy (whose commune declines); Ba Tri's post sends DV-BT-01 to Thạnh Hải. A second
directive puts households in the charge of DV-HL-05 (four in ấp 1) and DV-BT-02 (two in Thạnh Hải). Cells
record every meeting (present or excused, drawn at random) but one, members log activities, reviews are
answered with random grades, HQ commends one member and corrects another, and Hàm Luông rotates DV-HL-03 out.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.tasks import open_tasks
from domain.actors import Actor, Role
from domain.calendar import add_months
from projections.catalog import all_projections
from projections.queries import PostgresReadModels
from projections.runner import Projector
from tests.world import EXAMPLES, World

CELLS = "681-CT/ĐU"
HOUSEHOLDS = "443-QĐ/TU"
MONTHS = 4
CELL_PLAN = {  # member -> (post, cell, commune)
    "DV-HL-01": ("DBP-HAM-LUONG", "CB-TT-AP1", "TT-TIEM-TOM"),
    "DV-HL-02": ("DBP-HAM-LUONG", "CB-TT-AP2", "TT-TIEM-TOM"),
    "DV-HL-03": ("DBP-HAM-LUONG", "CB-TT-AP3", "TT-TIEM-TOM"),
    "DV-HL-04": ("DBP-HAM-LUONG", "CB-AT-AP1", "XA-AN-THUY"),
    "DV-BT-01": ("DBP-BA-TRI", "CB-BT-AP1", "XA-BAO-THUAN"),
}
HOUSEHOLD_PLAN = {  # member -> (post, households, commune)
    "DV-HL-05": ("DBP-HAM-LUONG", ("HH-001", "HH-002", "HH-003", "HH-004"), "TT-TIEM-TOM"),
    "DV-BT-02": ("DBP-BA-TRI", ("HH-008", "HH-009"), "XA-BAO-THUAN"),
}
DECLINED = "DV-HL-04"
ROTATED = "DV-HL-03"
COMMENDED = "DV-HL-02"
CORRECTED = "DV-HL-01"
SKIPPED = ("DV-BT-01", 2)  # this member's second meeting is never recorded
ACTIVITY_KINDS = ("information_session", "household_visit", "propaganda", "workday", "material_support", "gift",
                  "candidate_trained", "member_admitted")  # fmt: skip


@dataclass
class Ledger:
    """What the scenario did, with the business date of each step (Viet Nam)."""

    issued_on: date | None = None
    term_ends_on: date | None = None
    assignments: dict[str, str] = field(default_factory=dict)  # member -> assignment id
    joined: dict[str, date] = field(default_factory=dict)  # member -> accepted (and joined) on
    ended: dict[str, tuple[date, str]] = field(default_factory=dict)  # member -> (day, reason), before the term end
    declined_on: date | None = None
    meetings: list[tuple[str, date, str]] = field(default_factory=list)  # (member, meeting day, attendance)
    skipped_meeting: date | None = None
    activities: list[tuple[str, date, str, int, int]] = field(default_factory=list)  # member, day, kind, qty, VND
    appraisals: list[tuple[str, date]] = field(default_factory=list)
    grades: list[tuple[str, date, str, bool]] = field(default_factory=list)  # (member, day, grade, follow-up)
    commendations: list[tuple[str, date]] = field(default_factory=list)  # by HQ
    corrections: list[tuple[str, date]] = field(default_factory=list)  # by HQ
    rotations: list[tuple[str, date]] = field(default_factory=list)


class Scenario:
    def __init__(self, world: World, seed: int = 681) -> None:
        self.world = world
        self.h = world.harness
        self.rng = random.Random(seed)
        self.ledger = Ledger()
        self.member_of: dict[str, str] = {}  # assignment id -> member
        self.meetings_seen: dict[str, list[date]] = {}  # member -> the meetings the cell was asked to record

    async def ok(self, actor: str, *args: str) -> Any:
        return await self.world.ok(*args, actor=actor)

    async def start(self) -> None:
        w, ledger = self.world, self.ledger
        today = await self.h.today()
        ledger.issued_on, ledger.term_ends_on = today, add_months(today, MONTHS) - timedelta(days=1)
        await self.ok("hq", "directory", "import", str(EXAMPLES / "directory.yaml"))
        for code, example in ((CELLS, "directive-cells.yaml"), (HOUSEHOLDS, "directive-households.yaml")):
            await self.ok("hq", "directive", "issue", str(await self._directive(code, example, today)))
        for member, (post, cell, _) in CELL_PLAN.items():
            done = await self.ok(f"post:{post}", "nominate", "--directive", CELLS, "--member", member, "--cell", cell)
            ledger.assignments[member] = done["assignment_ids"][0]
        for member, (post, households, _) in HOUSEHOLD_PLAN.items():
            done = await self.ok(
                f"post:{post}", "nominate", "--directive", HOUSEHOLDS, "--member", member,
                "--households", ",".join(households),
            )  # fmt: skip
            ledger.assignments[member] = done["assignment_ids"][0]
        self.member_of = {a: m for m, a in ledger.assignments.items()}
        for a in ledger.assignments.values():
            await w.settled(a)
        await self.h.advance(2)
        day = await self.h.today()
        for member, assignment in ledger.assignments.items():
            commune = (CELL_PLAN.get(member) or HOUSEHOLD_PLAN[member])[2]
            if member == DECLINED:
                await self.ok(
                    f"commune:{commune}", "commune", "decline", assignment, "--reason", "Chi bộ đang kiện toàn"
                )
                ledger.declined_on = day
            else:
                await self.ok(f"commune:{commune}", "commune", "accept", assignment)
                ledger.joined[member] = day

    async def _directive(self, code: str, example: str, today: date) -> Path:
        spec = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
        spec.update(code=code, issued_on=today.isoformat())
        spec["term"] = {"start": today.isoformat(), "end": self.ledger.term_ends_on.isoformat()}  # type: ignore[union-attr]
        path = self.world.tmp / f"{code.replace('/', '-')}.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        return path

    async def live_until(self, last: date) -> None:
        """Day by day (two at a time), do what the open tasks ask, and the planned HQ and post decisions."""
        ledger = self.ledger
        assert ledger.issued_on is not None
        while (today := await self.h.today()) < last:
            await self.h.advance(2)
            today = await self.h.today()
            offset = (today - ledger.issued_on).days
            assert ledger.term_ends_on is not None
            if today >= ledger.term_ends_on:
                continue  # the term is over: the assignments end, nobody acts any more
            await Projector(self.h.pool, self.h.store, all_projections()).catch_up()
            work = []
            for actor in self._officers():
                for task in await open_tasks(PostgresReadModels(self.h.pool, self.h.store), actor, today):
                    work.append(self._answer(task))
            if offset % 10 in (0, 1):
                work += [self._log_activity(m, today) for m in self._serving()]
            await asyncio.gather(*work)
            if offset in (30, 31) and not ledger.commendations:
                await self.ok("hq", "commend", ledger.assignments[COMMENDED], "--reason", "Gương mẫu, tích cực")
                ledger.commendations.append((COMMENDED, today))
            if offset in (36, 37) and not ledger.corrections:
                await self.ok("hq", "correct", ledger.assignments[CORRECTED], "--reason", "Chưa nắm chắc địa bàn")
                ledger.corrections.append((CORRECTED, today))
            if offset in (50, 51) and ROTATED not in ledger.ended:
                await self.ok("post:DBP-HAM-LUONG", "withdraw", ledger.assignments[ROTATED], "--reason", "rotated")
                ledger.ended[ROTATED] = (today, "rotated")
                ledger.rotations.append((ROTATED, today))
        await self.quiet()

    async def quiet(self) -> None:
        """Until the workflows have appended what the last days' timers started (a join on its day, a
        reminder, an end of term): the log stays the same for half a second."""
        seen, still = -1, 0
        for _ in range(200):
            count = await self.world.event_count()
            still = still + 1 if count == seen else 0
            if still >= 5:
                return
            seen = count
            await asyncio.sleep(0.1)
        raise AssertionError("the workflows kept appending for 20 s")

    def _officers(self) -> list[Actor]:
        cells = {cell for _, cell, _ in CELL_PLAN.values()}
        return [Actor(role=Role.CELL, id=c) for c in sorted(cells)] + [
            Actor(role=Role.POST, id="DBP-HAM-LUONG"),
            Actor(role=Role.POST, id="DBP-BA-TRI"),
        ]

    def _serving(self) -> list[str]:
        return [m for m in self.ledger.joined if m not in self.ledger.ended]

    async def _answer(self, task: Any) -> None:
        ledger, today = self.ledger, await self.h.today()
        member = self.member_of.get(task.assignment_id or "")
        if member is None:
            return  # a nomination or replacement: this scenario leaves them open
        actor = str(task.actor)
        if task.kind == "meeting_record":
            meeting = task.meeting_on
            seen = self.meetings_seen.setdefault(member, [])
            if meeting not in seen:
                seen.append(meeting)
            if (member, seen.index(meeting) + 1) == SKIPPED:  # that one meeting, and no other
                ledger.skipped_meeting = meeting
                return
            attendance = "present" if self.rng.random() < 0.8 else "excused"
            extra = ["--excuse", "Đi công tác"] if attendance == "excused" else ["--contribution", "border_briefing"]
            await self.ok(
                actor, "meeting", "record", task.assignment_id, "--date", meeting.isoformat(),
                "--attendance", attendance, *extra,
            )  # fmt: skip
            ledger.meetings.append((member, meeting, attendance))
        elif task.kind == "appraisal":
            await self.ok(actor, "appraisal", "submit", task.assignment_id, "--period", task.reference,
                          "--text", "Tích cực, nắm chắc tình hình")  # fmt: skip
            ledger.appraisals.append((member, today))
        elif task.kind == "grade":
            follow_up = task.reference.startswith("follow-up")
            grade = "good" if follow_up else self.rng.choice(["excellent", "good", "completed"])
            await self.ok(actor, "grade", task.assignment_id, "--period", task.reference, "--grade", grade)
            ledger.grades.append((member, today, grade, follow_up))

    async def _log_activity(self, member: str, today: date) -> None:
        kind = "household_visit" if member in HOUSEHOLD_PLAN else self.rng.choice(ACTIVITY_KINDS)
        quantity = self.rng.randint(1, 4)
        amount = self.rng.randrange(2, 30) * 100_000 if kind in ("material_support", "gift") else 0
        on = today - timedelta(days=self.rng.randint(0, 1))
        args = ["activity", "log", self.ledger.assignments[member], "--date", on.isoformat(), "--kind", kind,
                "--quantity", str(quantity)]  # fmt: skip
        if amount:
            args += ["--amount-vnd", str(amount)]
        await self.ok(f"member:{member}", *args)
        self.ledger.activities.append((member, on, kind, quantity, amount))
