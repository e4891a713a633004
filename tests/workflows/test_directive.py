"""DirectiveWorkflow with a real directory, real assignments and a real PostgreSQL, on skipped time."""

from __future__ import annotations

from datetime import timedelta

import gateway
from app.directives import NominationRequest as N
from domain.actors import Actor, Role
from domain.commands import AcceptAssignment, DeclineAssignment
from domain.directive_commands import AmendDirective
from domain.events.directive import (
    CoverageGapEscalated,
    DirectiveAmended,
    DirectiveClosed,
    NominationAccepted,
    NominationRequested,
    PeriodSummarized,
    ReplacementRequested,
)
from domain.policy import DirectivePolicy
from domain.vocabulary import EndReason, Stage
from tests.workflows.directive_driver import BA_TRI, HAM_LUONG, HQ, issue, load_example_directory, refusal
from tests.workflows.driver import Harness

TIEM_TOM = Actor(role=Role.COMMUNE, id="TT-TIEM-TOM")
BAO_THUAN = Actor(role=Role.COMMUNE, id="XA-BAO-THUAN")


async def wait_stage(harness: Harness, assignment_id: str, stage: Stage) -> None:
    for _ in range(300):
        state = await gateway.current_state(harness.env.client, assignment_id)
        if state is not None and state.stage == stage:
            return
        await harness.env.sleep(timedelta(milliseconds=20))
    raise AssertionError(f"{assignment_id} never reached {stage}")


async def test_a_directive_asks_each_post_then_starts_an_assignment_per_nomination(harness: Harness) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory)

    requests = [e.payload for e in await d.events() if isinstance(e.payload, NominationRequested)]
    result = await d.nominate(
        HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP1"), N(member_id="DV-HL-03", cell_id="CB-AT-AP1")
    )
    for assignment_id in result.assignment_ids:
        await wait_stage(harness, assignment_id, Stage.INTRODUCED)
    await gateway.send(harness.env.client, result.assignment_ids[0], AcceptAssignment(actor=TIEM_TOM))
    await wait_stage(harness, result.assignment_ids[0], Stage.ACTIVE)
    await harness.advance(1)

    state = await d.state()
    assert {(r.post_id, len(r.cells)) for r in requests} == {("DBP-HAM-LUONG", 5), ("DBP-BA-TRI", 1)}
    assert all(r.due_on == state.directive.issued_on + timedelta(days=15) for r in requests)
    assert result.events == ("NominationAccepted", "NominationAccepted")
    assert result.assignment_ids[0].endswith(":DV-HL-02:CB-TT-AP1")
    assert {a.stage for a in state.assignments.values()} == {Stage.ACTIVE, Stage.INTRODUCED}
    coverage = await harness.env.client.get_workflow_handle(f"directive:{d.code}").query("coverage")
    assert coverage["cells_in_scope"] == 6
    assert coverage["cells_covered"] == 1
    assert coverage["communes_covered"] == 1
    assigned = await harness.store.read_by(directive_id=d.code, limit=1000)
    assert {e.stream_id for e in assigned} >= {f"assignment-{i}" for i in result.assignment_ids}


async def test_nominations_that_break_the_directives_rules_are_refused_and_write_nothing(harness: Harness) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory)
    await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP1"))
    before = len(await d.events())

    refusals = [
        await d.refused(HAM_LUONG, N(member_id="DV-BT-01", cell_id="CB-TT-AP2")),  # another post's member
        await d.refused(HAM_LUONG, N(member_id="DV-HL-03", cell_id="CB-BT-AP1")),  # a commune it does not cover
        await d.refused(HAM_LUONG, N(member_id="DV-HL-03", cell_id="CB-NOWHERE")),  # not in scope
        await d.refused(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP2")),  # already assigned
        await d.refused(
            HAM_LUONG, N(member_id="DV-HL-03", cell_id="CB-TT-AP2"), N(member_id="DV-HL-03", cell_id="CB-TT-AP3")
        ),
        await d.refused(TIEM_TOM, N(member_id="DV-HL-03", cell_id="CB-TT-AP2")),  # not a post
        await d.refused(HAM_LUONG, N(member_id="DV-NOBODY", cell_id="CB-TT-AP2")),  # not in the directory
    ]

    assert refusals == [
        "forbidden",
        "out_of_scope",
        "out_of_scope",
        "already_assigned",
        "already_assigned",
        "forbidden",
        "not_found",
    ]
    assert len(await d.events()) == before
    assert len((await d.state()).assignments) == 1


async def test_a_household_group_must_hold_the_policys_number_of_households_of_one_village(harness: Harness) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory, "directive-households.yaml")

    assert await d.refused(HAM_LUONG, N(member_id="DV-HL-02", household_ids=("HH-001",))) == "quota"
    assert await d.refused(HAM_LUONG, N(member_id="DV-HL-02", household_ids=("HH-001", "HH-005"))) == "invalid_input"
    result = await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", household_ids=("HH-001", "HH-002", "HH-003")))
    assert await d.refused(HAM_LUONG, N(member_id="DV-HL-04", household_ids=("HH-003", "HH-004"))) == "already_assigned"

    await wait_stage(harness, result.assignment_ids[0], Stage.INTRODUCED)
    state = await gateway.current_state(harness.env.client, result.assignment_ids[0])
    assert state is not None
    assert state.household_ids == ("HH-001", "HH-002", "HH-003")
    assert state.cell_id == "CB-TT-AP1"


async def test_cells_still_uncovered_after_the_nomination_deadline_are_escalated_per_post(harness: Harness) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory)
    await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP1"))

    await harness.advance(17)

    events = await d.events()
    gaps = {e.payload.post_id: e.payload.cells for e in events if isinstance(e.payload, CoverageGapEscalated)}
    reminders = [e for e in events if e.event_type == "ReminderSent"]
    assert gaps == {"DBP-HAM-LUONG": ("CB-AT-AP1", "CB-AT-AP2", "CB-TT-AP2", "CB-TT-AP3"), "DBP-BA-TRI": ("CB-BT-AP1",)}
    assert len(reminders) == 4  # 7 and 3 days before the deadline, to each post
    notices = await harness.pool.fetch(
        "SELECT subject, escalation FROM notifications "
        "WHERE directive_id = $1 AND recipient_role = 'hq' AND assignment_id IS NULL",
        d.code,
    )
    assert [(n["subject"], n["escalation"]) for n in notices] == [("coverage", True), ("coverage", True)]


async def test_a_declined_assignment_brings_a_replacement_request_that_a_new_nomination_fulfils(
    harness: Harness,
) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory)
    first = await d.nominate(BA_TRI, N(member_id="DV-BT-01", cell_id="CB-BT-AP1"))
    await wait_stage(harness, first.assignment_ids[0], Stage.INTRODUCED)

    await gateway.send(
        harness.env.client, first.assignment_ids[0], DeclineAssignment(actor=BAO_THUAN, reason="Đang kiện toàn chi bộ")
    )
    await harness.advance(1)
    requested = [e.payload for e in await d.events() if isinstance(e.payload, ReplacementRequested)]
    await harness.advance(12)  # past both reminders (7 and 3 days before the request's deadline)
    reminded = await harness.pool.fetch(
        "SELECT notice_key, reference FROM notifications "
        "WHERE directive_id = $1 AND subject = 'replacement' AND recipient_id = 'DBP-BA-TRI' ORDER BY notice_key",
        d.code,
    )
    second = await d.nominate(BA_TRI, N(member_id="DV-BT-02", cell_id="CB-BT-AP1"))

    state = await d.state()
    assert [(r.post_id, r.cell_id, r.reason) for r in requested] == [("DBP-BA-TRI", "CB-BT-AP1", "declined_by_commune")]
    # The request and its reminders name the cell to fill (the post's command line is built from it).
    key = requested[0].key
    assert [(r["notice_key"], r["reference"]) for r in reminded] == [
        (key, "CB-BT-AP1"),
        (f"{key}:reminder:3", "CB-BT-AP1"),
        (f"{key}:reminder:7", "CB-BT-AP1"),
    ]
    accepted = [e.payload for e in await d.events() if isinstance(e.payload, NominationAccepted)]
    assert accepted[-1].replaces == requested[0].key
    assert state.replacements[requested[0].key].fulfilled_by == second.assignment_ids[0]
    assert state.assignments[first.assignment_ids[0]].end_reason == EndReason.DECLINED_BY_COMMUNE


async def test_a_directive_summarizes_each_half_year_and_closes_at_the_end_of_term_ending_its_assignments(
    harness: Harness,
) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory, months=13, policy=DirectivePolicy(rotation_months=24))
    result = await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP1"))
    await wait_stage(harness, result.assignment_ids[0], Stage.INTRODUCED)
    await gateway.send(harness.env.client, result.assignment_ids[0], AcceptAssignment(actor=TIEM_TOM))

    await harness.advance_to(d.resolved.term_ends_on + timedelta(days=2))

    events = await d.events()
    summaries = [e.payload for e in events if isinstance(e.payload, PeriodSummarized)]
    closed = [e.payload for e in events if isinstance(e.payload, DirectiveClosed)]
    assignment = await gateway.current_state(harness.env.client, result.assignment_ids[0])
    assert {s.period_kind for s in summaries} <= {"interim", "annual"}
    assert len(summaries) >= 2
    assert all(s.figures["cells_in_scope"] == 6 for s in summaries)
    assert summaries[0].figures["cells_covered"] == 1
    assert len(closed) == 1
    assert assignment is not None
    assert assignment.end_reason == EndReason.TERM_COMPLETED
    assert not (await d.state()).open


async def test_hq_amends_the_scope_and_the_term_and_closes_early(harness: Harness) -> None:
    directory = await load_example_directory(harness)
    d = await issue(harness, directory)
    result = await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP3"))
    await wait_stage(harness, result.assignment_ids[0], Stage.INTRODUCED)
    today = await harness.today()

    new_end = today + timedelta(days=200)
    amended = await d.amend(
        AmendDirective(actor=HQ, removed_cells=("CB-TT-AP3",), term_ends_on=new_end, note="Sáp nhập ấp")
    )
    assert await refusal(d.amend(AmendDirective(actor=HAM_LUONG, note="x", term_ends_on=new_end))) == "forbidden"
    await harness.advance(1)
    closed = await d.close("Tổng kết sớm theo chỉ đạo")

    events = await d.events()
    state = await d.state()
    change = next(e.payload for e in events if isinstance(e.payload, DirectiveAmended))
    assignment = await gateway.current_state(harness.env.client, result.assignment_ids[0])
    assert amended.events == ("DirectiveAmended",)
    assert change.removed_cells == ("CB-TT-AP3",)
    assert state.directive.term_ends_on == new_end
    assert "CB-TT-AP3" not in {c.id for c in state.directive.cells}
    assert assignment is not None
    assert assignment.end_reason == EndReason.WITHDRAWN
    assert closed.version == state.version
    assert not state.open
    assert events[-1].actor == HQ
