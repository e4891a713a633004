"""Every command of the registry, sent through the application layer by every kind of actor, against the
in-memory ports: exactly the unit it concerns may send it, everyone else is refused with a stable code and
nothing is written (pure and in memory: milliseconds each)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app import assignments
from domain.actors import Actor, Role
from domain.commands import (
    AcceptAssignment,
    Command,
    Commend,
    Correct,
    DeclineAssignment,
    EndAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    RecordMeeting,
    ResumeAssignment,
    SubmitAppraisal,
    WithdrawMember,
)
from domain.context import CellRef
from domain.decisions import COMMANDS
from domain.errors import PhancongError
from domain.vocabulary import ActivityKind, Attendance, EndReason, Grade
from tests.app.memory import MemoryAssignments, context_of, memory_services

pytestmark = pytest.mark.unit

START = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)  # 09:00 in Viet Nam, 10 March 2027
CELLS = (
    CellRef(id="CB-TT-AP1", commune_id="TT-TIEM-TOM", meeting_day=15),
    CellRef(id="CB-TT-AP2", commune_id="TT-TIEM-TOM", meeting_day=20),
)
INTRODUCED = "681-CT/ĐU:DV-HL-02:CB-TT-AP1"
ACTIVE = "681-CT/ĐU:DV-HL-03:CB-TT-AP2"

# Who the assignment in each case belongs to, by role; and a stranger of each role (a unit the directory knows).
OWN = {
    INTRODUCED: {"post": "DBP-HAM-LUONG", "commune": "TT-TIEM-TOM", "cell": "CB-TT-AP1", "member": "DV-HL-02"},
    ACTIVE: {"post": "DBP-HAM-LUONG", "commune": "TT-TIEM-TOM", "cell": "CB-TT-AP2", "member": "DV-HL-03"},
}
STRANGERS = {"post": "DBP-BA-TRI", "commune": "XA-AN-THUY", "cell": "CB-BT-AP1", "member": "DV-BT-01"}

Prepare = Callable[[MemoryAssignments], Awaitable[None]]


async def nothing(a: MemoryAssignments) -> None:
    return None


async def review_due(a: MemoryAssignments) -> None:
    """The first quarter has closed: its review is requested."""
    a.clock.instant = START + timedelta(days=25)
    await a.tick(ACTIVE)


async def appraised(a: MemoryAssignments) -> None:
    await review_due(a)
    await a.send(ACTIVE, SubmitAppraisal(actor=Actor(role=Role.CELL, id="CB-TT-AP2"), period="2027-Q1", text="Tốt"))


async def paused(a: MemoryAssignments) -> None:
    await a.send(ACTIVE, PauseAssignment(actor=Actor(role=Role.POST, id="DBP-HAM-LUONG"), reason="Huấn luyện"))


# Each command: the assignment it goes to, what must have happened first, the role that may send it, and the
# command from a given actor.
CASES: dict[str, tuple[str, Prepare, Role, Callable[[Actor], Command]]] = {
    "accept": (INTRODUCED, nothing, Role.COMMUNE, lambda who: AcceptAssignment(actor=who)),
    "decline": (INTRODUCED, nothing, Role.COMMUNE, lambda who: DeclineAssignment(actor=who, reason="Kiện toàn")),
    "record_meeting": (
        ACTIVE,
        nothing,
        Role.CELL,
        lambda who: RecordMeeting(actor=who, meeting_on=START.date(), attendance=Attendance.PRESENT),
    ),
    "log_activity": (
        ACTIVE,
        nothing,
        Role.MEMBER,
        lambda who: LogActivity(actor=who, activity_on=START.date(), kind=ActivityKind.WORKDAY, quantity=2),
    ),
    "submit_appraisal": (
        ACTIVE,
        review_due,
        Role.CELL,
        lambda who: SubmitAppraisal(actor=who, period="2027-Q1", text="Tích cực"),
    ),
    "grade": (ACTIVE, appraised, Role.POST, lambda who: GradeMember(actor=who, period="2027-Q1", grade=Grade.GOOD)),
    "commend": (ACTIVE, nothing, Role.HQ, lambda who: Commend(actor=who, reason="Gương mẫu")),
    "correct": (ACTIVE, nothing, Role.HQ, lambda who: Correct(actor=who, reason="Chưa nắm địa bàn")),
    "pause": (ACTIVE, nothing, Role.POST, lambda who: PauseAssignment(actor=who, reason="Huấn luyện")),
    "resume": (ACTIVE, paused, Role.POST, lambda who: ResumeAssignment(actor=who)),
    "withdraw": (ACTIVE, nothing, Role.POST, lambda who: WithdrawMember(actor=who, reason=EndReason.TRANSFERRED)),
    "end": (ACTIVE, nothing, Role.HQ, lambda who: EndAssignment(actor=who, reason=EndReason.CELL_MERGED)),
}


def actors(assignment: str) -> dict[str, Actor]:
    """Every kind of actor: HQ, an auditor, the assignment's own units, strangers of each role, unknown units."""
    found = {"hq": Actor(role=Role.HQ), "auditor": Actor(role=Role.AUDITOR)}
    for role, unit in OWN[assignment].items():
        found[f"own {role}"] = Actor(role=Role(role), id=unit)
        found[f"stranger {role}"] = Actor(role=Role(role), id=STRANGERS[role])
        found[f"unknown {role}"] = Actor(role=Role(role), id="KHONG-CO")
    return found


def expected(role: Role, label: str) -> str:
    """What happens to the command from ``label``: ok for the unit (or HQ) it is for, else a refusal's code."""
    if label.startswith("unknown"):
        return "unknown_reference"
    if label in ("hq", "auditor"):
        return "ok" if label == role.value else "forbidden"
    return "ok" if label == f"own {role.value}" else "forbidden"


def matrix() -> list[tuple[str, str, str]]:
    return [
        (kind, label, expected(role, label))
        for kind, (assignment, _, role, _) in CASES.items()
        for label in actors(assignment)
    ]


def test_the_matrix_covers_every_command_of_the_registry() -> None:
    assert sorted(CASES) == sorted(kind.name for kind in COMMANDS)
    assert len(matrix()) == sum(len(actors(a)) for a, *_ in CASES.values())


@pytest.mark.parametrize(("kind", "label", "outcome"), matrix())
async def test_a_command_is_applied_for_its_own_unit_and_refused_with_a_code_for_anyone_else(
    kind: str, label: str, outcome: str
) -> None:
    s, memory = await memory_services(START)
    await memory.start(INTRODUCED, member="DV-HL-02", post="DBP-HAM-LUONG", commune="TT-TIEM-TOM",
                       cell="CB-TT-AP1", context=context_of(CELLS, START))  # fmt: skip
    await memory.start(ACTIVE, member="DV-HL-03", post="DBP-HAM-LUONG", commune="TT-TIEM-TOM",
                       cell="CB-TT-AP2", context=context_of(CELLS, START))  # fmt: skip
    await memory.send(ACTIVE, AcceptAssignment(actor=Actor(role=Role.COMMUNE, id="TT-TIEM-TOM")))
    assignment, prepare, _, command = CASES[kind]
    await prepare(memory)
    before = len(await s.log.read_all(0, 10**6))

    try:
        result: Any = await assignments.command(s, assignment, command(actors(assignment)[label]))
    except PhancongError as refused:
        result = refused

    if outcome == "ok":
        assert not isinstance(result, PhancongError), result
        assert result.events
    else:
        assert isinstance(result, PhancongError)
        assert result.code == outcome, result.message
        assert len(await s.log.read_all(0, 10**6)) == before
