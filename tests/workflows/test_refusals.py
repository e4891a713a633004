"""Every refused command: a stable code, nothing appended, nothing in the workflow's history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

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
from domain.vocabulary import ActivityKind, Attendance, EndReason, Grade
from tests.workflows.driver import CELL_1, CELL_2, COMMUNE, HQ, POST, Assignment, Harness, member
from workflows.assignment import AssignmentWorkflow

OTHER_POST = Actor(role=Role.POST, id="DBP-KHAC")
OTHER_COMMUNE = Actor(role=Role.COMMUNE, id="XA-KHAC")
W = AssignmentWorkflow


async def update_count(a: Assignment) -> int:
    history = await a.handle.fetch_history()
    return sum(1 for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes"))


@pytest.fixture
async def active(harness: Harness) -> Assignment:
    """An active assignment in CB-AP-2 with one meeting recorded and a review of period "P" requested."""
    a = await harness.start(cell_id="CB-AP-1")
    await a.command(AcceptAssignment(actor=COMMUNE, cell_id="CB-AP-2"))
    state = await a.state()
    review = next((a for a in await a.upcoming() if a.kind == "request_review"), None)
    assert review is not None
    await harness.advance_to(review.due_at.date() + timedelta(days=1))
    state = await a.state()
    assert state.reviews
    return a


def cases(today: Any, period: str, recorded: Any) -> list[tuple[str, Command]]:
    future = today + timedelta(days=3)
    return [
        ("forbidden", AcceptAssignment(actor=OTHER_COMMUNE)),
        ("wrong_state", AcceptAssignment(actor=COMMUNE)),
        ("wrong_state", DeclineAssignment(actor=COMMUNE, reason="quá muộn")),
        ("forbidden", RecordMeeting(actor=CELL_1, meeting_on=today, attendance=Attendance.PRESENT)),
        ("date_out_of_range", RecordMeeting(actor=CELL_2, meeting_on=future, attendance="present")),
        ("invalid_input", RecordMeeting(actor=CELL_2, meeting_on=today, attendance="excused")),
        (
            "already_done",
            RecordMeeting(actor=CELL_2, meeting_on=recorded, attendance="present"),
        ),
        ("forbidden", LogActivity(actor=member(9), activity_on=today, kind=ActivityKind.WORKDAY)),
        ("date_out_of_range", LogActivity(actor=member(1), activity_on=future, kind=ActivityKind.GIFT)),
        ("unknown_reference", SubmitAppraisal(actor=CELL_2, period="2001-Q1", text="x")),
        # Texts the boundary refuses, sent by a client that skips it: the workflow's own validator refuses them.
        ("invalid_input", SubmitAppraisal.model_construct(actor=CELL_2, period=period, text="  ")),
        ("forbidden", SubmitAppraisal(actor=CELL_1, period=period, text="Tốt")),
        ("wrong_state", GradeMember(actor=POST, period=period, grade=Grade.GOOD)),  # no appraisal yet
        ("forbidden", GradeMember(actor=OTHER_POST, period=period, grade=Grade.GOOD)),
        ("forbidden", Commend(actor=POST, reason="Tốt")),
        ("invalid_input", Commend.model_construct(actor=HQ, reason="")),
        ("forbidden", Correct(actor=COMMUNE, reason="x")),
        ("forbidden", PauseAssignment(actor=OTHER_POST, reason="x")),
        ("date_out_of_range", PauseAssignment(actor=POST, reason="x", until=today + timedelta(days=5000))),
        ("wrong_state", ResumeAssignment(actor=POST)),
        ("invalid_input", WithdrawMember(actor=POST, reason=EndReason.DECLINED_BY_COMMUNE)),
        ("forbidden", WithdrawMember(actor=OTHER_POST, reason=EndReason.TRANSFERRED)),
        ("forbidden", EndAssignment(actor=POST, reason=EndReason.TERM_COMPLETED)),
    ]


async def test_every_refused_command_has_a_code_and_leaves_nothing_behind(active: Assignment, harness: Harness) -> None:
    today = await harness.today()
    state = await active.state()
    period = next(iter(state.reviews))
    joined = state.joined_on
    assert joined is not None
    await active.command(RecordMeeting(actor=CELL_2, meeting_on=joined, attendance=Attendance.PRESENT))
    before_events = len(await active.events())
    before_updates = await update_count(active)
    before_state = await active.state()

    codes = [(expected, await active.refused(command)) for expected, command in cases(today, period, joined)]

    assert [got for _, got in codes] == [expected for expected, _ in codes]
    assert len(await active.events()) == before_events
    assert await update_count(active) == before_updates  # rejected by validators: not even in the history
    assert await active.state() == before_state
    await active.assert_fold_matches()


async def test_an_assignment_that_ended_refuses_every_command(harness: Harness) -> None:
    a = await harness.start()
    await a.command(WithdrawMember(actor=POST, reason=EndReason.TRANSFERRED, note="Chuyển công tác"))
    today = await harness.today()
    before = len(await a.events())

    refusals = [
        await a.refused(AcceptAssignment(actor=COMMUNE)),
        await a.refused(RecordMeeting(actor=CELL_1, meeting_on=today, attendance="present")),
        await a.refused(PauseAssignment(actor=POST, reason="x")),
        await a.refused(WithdrawMember(actor=POST, reason=EndReason.WITHDRAWN)),
        await a.refused(Commend(actor=HQ, reason="x")),
    ]

    assert refusals == ["wrong_state"] * 5
    assert len(await a.events()) == before
    assert (await a.assert_fold_matches()).end_reason == EndReason.TRANSFERRED
