"""AssignmentWorkflow through whole lives, on the time-skipping server, writing to a real PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

from domain.calendar import VIETNAM, add_months, local_date
from domain.commands import (
    AcceptAssignment,
    DeclineAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    ResumeAssignment,
    SubmitAppraisal,
)
from domain.events.assignment import (
    CommuneAccepted,
    CorrectionIssued,
    Escalated,
    FollowUpReviewed,
    IntroductionSent,
    MeetingRecorded,
    ReminderSent,
    ReviewRequested,
)
from domain.policy import DirectivePolicy
from domain.vocabulary import ActivityKind, AssignmentKind, Attendance, EndReason, Grade, PeriodKind, Stage
from tests.workflows.driver import CELL_1, CELL_2, COMMUNE, POST, Behaviour, Harness, live, member


async def test_a_twelve_month_cell_assignment_meets_monthly_and_is_reviewed_quarterly(harness: Harness) -> None:
    started = time.perf_counter()
    a = await harness.start(term_months=12)
    accepted = await a.command(AcceptAssignment(actor=COMMUNE, cell_id="CB-AP-2"))
    assert accepted.events == ("CommuneAccepted",)

    await live(a, until=add_months(await harness.today(), 13), behaviour=Behaviour(cell=CELL_2))

    state = await a.assert_fold_matches()
    events = await a.events()
    meetings = [e.payload for e in events if isinstance(e.payload, MeetingRecorded)]
    reviews = [e.payload for e in events if isinstance(e.payload, ReviewRequested)]
    assert state.stage == Stage.ENDED
    assert state.end_reason == EndReason.TERM_COMPLETED
    assert state.placed_cell_id == "CB-AP-2"
    assert len(meetings) == 12
    assert all(m.cell_id == "CB-AP-2" and m.meeting_on.day == 20 for m in meetings)
    assert {r.period_kind for r in reviews} == {PeriodKind.QUARTERLY, PeriodKind.INTERIM, PeriodKind.ANNUAL}
    assert len(reviews) == 4
    assert all(review.grade == Grade.GOOD for review in state.reviews.values())
    member_reminders = [e for e in events if isinstance(e.payload, ReminderSent) and e.payload.subject == "meeting"]
    assert len(member_reminders) == 12
    for reminder in member_reminders:  # two days before each meeting, at 08:00 in Viet Nam
        assert isinstance(reminder.payload, ReminderSent)
        assert local_date(reminder.occurred_at) == reminder.payload.due_on - timedelta(days=2)
        assert reminder.occurred_at.astimezone(VIETNAM).hour == 8
    assert not [e for e in events if isinstance(e.payload, Escalated)]  # every record and review was on time
    assert await a.runs() >= 4  # continued as new at each review boundary
    print(f"\n12-month lifecycle: {time.perf_counter() - started:.1f} s wall-clock, {len(events)} events")


async def test_a_commune_that_declines_ends_the_assignment(harness: Harness) -> None:
    a = await harness.start()
    other_commune = COMMUNE.model_copy(update={"id": "XA-KHAC"})

    assert await a.refused(DeclineAssignment(actor=other_commune, reason="x")) == "forbidden"
    await a.command(DeclineAssignment(actor=COMMUNE, reason="Chi bộ đang kiện toàn"))

    state = await a.assert_fold_matches()
    assert state.stage == Stage.ENDED
    assert state.end_reason == EndReason.DECLINED_BY_COMMUNE
    assert await a.types() == ["MemberNominated", "IntroductionSent", "CommuneDeclined"]
    assert (await a.handle.result()).stage == Stage.ENDED


async def test_a_silent_commune_is_reminded_on_the_configured_days_then_escalated_to_hq(harness: Harness) -> None:
    policy = DirectivePolicy(commune_response_days=20, reminder_days_before=(10, 5, 1))
    a = await harness.start(policy=policy)
    await harness.advance(25)

    events = await a.events()
    introduction = next(e.payload for e in events if isinstance(e.payload, IntroductionSent))
    due = introduction.response_due_on
    reminders = [e for e in events if isinstance(e.payload, ReminderSent)]
    escalations = [e for e in events if isinstance(e.payload, Escalated)]
    assert due == introduction.sent_on + timedelta(days=20)
    assert [local_date(e.occurred_at) for e in reminders] == [due - timedelta(days=d) for d in (10, 5, 1)]
    assert all(e.payload.recipient.id == "XA-TIEM-TOM" for e in reminders if isinstance(e.payload, ReminderSent))
    assert [local_date(e.occurred_at) for e in escalations] == [due + timedelta(days=1)]
    escalation = escalations[0].payload
    assert isinstance(escalation, Escalated)
    assert escalation.recipient.role == "hq"
    assert escalation.responsible.id == "XA-TIEM-TOM"
    assert escalation.reminders == (
        "commune-response:reminder:1",
        "commune-response:reminder:10",
        "commune-response:reminder:5",
    )
    outbox = await harness.pool.fetch(
        "SELECT recipient_role, recipient_id, subject, escalation FROM notifications "
        "WHERE assignment_id = $1 ORDER BY created_at, notice_key",
        a.assignment_id,
    )
    assert [(r["recipient_role"], r["subject"], r["escalation"]) for r in outbox] == [
        ("commune", "introduction", False),
        ("commune", "commune_response", False),
        ("commune", "commune_response", False),
        ("commune", "commune_response", False),
        ("hq", "commune_response", True),
    ]
    assert (await a.assert_fold_matches()).stage == Stage.INTRODUCED  # still waiting: HQ decides what next


async def test_missed_meetings_bring_a_correction_and_two_failed_follow_ups_replace_the_member(
    harness: Harness,
) -> None:
    a = await harness.start()
    await a.command(AcceptAssignment(actor=COMMUNE))

    def grade(period: str) -> Grade:
        return Grade.NOT_COMPLETED if period.startswith("follow-up") else Grade.COMPLETED

    await live(
        a,
        until=add_months(await harness.today(), 12),
        behaviour=Behaviour(attendance=lambda month: Attendance.ABSENT, grade=grade),
    )

    state = await a.assert_fold_matches()
    events = [e.payload for e in await a.events()]
    corrections = [e for e in events if isinstance(e, CorrectionIssued)]
    follow_ups = [e for e in events if isinstance(e, FollowUpReviewed)]
    assert [c.round for c in corrections] == [1, 2]
    assert "tỷ lệ tham dự 0%" in corrections[0].reason
    assert corrections[1].follow_up_on == corrections[1].issued_on + timedelta(days=60)
    assert [(f.round, f.passed) for f in follow_ups] == [(1, False), (2, False)]
    assert state.stage == Stage.ENDED
    assert state.end_reason == EndReason.REPLACED
    assert events[-1].type == "AssignmentEnded"


async def test_rotation_falls_due_after_the_rotation_period_but_never_for_a_committee_member(harness: Harness) -> None:
    policy = DirectivePolicy(rotation_months=2, rotation_handover_days=20)
    rotating = await harness.start(member_no=1, policy=policy)
    exempt = await harness.start(member_no=2, policy=policy, on_local_committee=True)
    for a in (rotating, exempt):
        await a.command(AcceptAssignment(actor=COMMUNE))
    joined = await harness.today()

    for a in (rotating, exempt):
        await live(a, until=add_months(joined, 3), behaviour=Behaviour())

    rotated = await rotating.assert_fold_matches()
    kept = await exempt.assert_fold_matches()
    assert rotated.rotation_due_on == add_months(joined, 2)
    assert rotated.handover_until == add_months(joined, 2) + timedelta(days=20)
    assert rotated.end_reason == EndReason.ROTATED
    assert rotated.ended_on == rotated.handover_until
    assert "RotationDue" not in await exempt.types()
    assert kept.stage == Stage.ACTIVE
    notice = await harness.pool.fetchrow(
        "SELECT recipient_role, recipient_id, due_on FROM notifications "
        "WHERE assignment_id = $1 AND subject = 'rotation'",
        rotating.assignment_id,
    )
    assert notice is not None
    assert (notice["recipient_role"], notice["recipient_id"], notice["due_on"]) == (
        "post",
        "DBP-HAM-LUONG",
        rotated.handover_until,
    )


async def test_a_paused_member_gets_no_meeting_reminders_and_resumes(harness: Harness) -> None:
    a = await harness.start()
    await a.command(AcceptAssignment(actor=COMMUNE))
    today = await harness.today()
    until = today + timedelta(days=45)

    paused = await a.command(PauseAssignment(actor=POST, reason="Huấn luyện tập trung", until=until))
    assert paused.stage == "paused"
    assert await a.refused(PauseAssignment(actor=POST, reason="again")) == "wrong_state"
    await harness.advance_to(until + timedelta(days=1))
    resumed = await a.assert_fold_matches()
    await a.command(PauseAssignment(actor=POST, reason="Nghỉ phép"))
    await harness.advance(3)
    await a.command(ResumeAssignment(actor=POST))

    state = await a.assert_fold_matches()
    events = await a.events()
    reminders = [
        local_date(e.occurred_at)
        for e in events
        if isinstance(e.payload, ReminderSent) and e.payload.subject == "meeting"
    ]
    assert resumed.stage == Stage.ACTIVE
    assert not [day for day in reminders if today <= day < until]
    assert [e.event_type for e in events if e.event_type.startswith("Assignment")] == [
        "AssignmentPaused",
        "AssignmentResumed",
        "AssignmentPaused",
        "AssignmentResumed",
    ]
    auto = next(e for e in events if e.event_type == "AssignmentResumed")
    assert auto.actor.role == "system"
    assert local_date(auto.occurred_at) == until
    assert state.stage == Stage.ACTIVE


async def test_a_household_sponsorship_logs_visits_workdays_and_support_in_vnd(harness: Harness) -> None:
    households = ("HH-101", "HH-102", "HH-103")
    a = await harness.start(kind=AssignmentKind.HOUSEHOLD_SPONSORSHIP, households=households)
    await a.command(AcceptAssignment(actor=COMMUNE))
    await harness.advance(1)
    me = member(1)
    today = await harness.today()

    logs = [
        LogActivity(actor=me, activity_on=today, kind=ActivityKind.HOUSEHOLD_VISIT, household_ids=households[:2]),
        LogActivity(actor=me, activity_on=today, kind=ActivityKind.WORKDAY, quantity=3, household_ids=("HH-103",)),
        LogActivity(
            actor=me,
            activity_on=today,
            kind=ActivityKind.MATERIAL_SUPPORT,
            amount_vnd=2_000_000,
            in_kind="10 kg giống lúa",
            household_ids=("HH-101",),
        ),
        LogActivity(actor=me, activity_on=today, kind=ActivityKind.GIFT, amount_vnd=500_000, household_ids=households),
    ]
    for log in logs:
        await a.command(log)
    outsider = LogActivity(actor=me, activity_on=today, kind=ActivityKind.HOUSEHOLD_VISIT, household_ids=("HH-999",))
    assert await a.refused(outsider) == "unknown_reference"

    await live(a, until=add_months(today, 4), behaviour=Behaviour())

    state = await a.assert_fold_matches()
    types = await a.types()
    assert state.stage == Stage.ACTIVE
    assert "HouseholdsTakenInCharge" in types
    assert "MeetingRecorded" not in types  # households have no cell meetings
    assert state.household_ids == households
    assert state.activities.amount_vnd == 2_500_000
    assert state.activities.quantity[ActivityKind.WORKDAY] == 3
    assert state.reviews
    assert all(r.attendance_percent is None and r.grade == Grade.GOOD for r in state.reviews.values())


async def test_a_commune_may_place_the_member_in_another_cell_of_the_commune_only(harness: Harness) -> None:
    a = await harness.start()
    elsewhere = AcceptAssignment(actor=COMMUNE, cell_id="CB-XA-KHAC")

    assert await a.refused(elsewhere) == "unknown_reference"
    await a.command(AcceptAssignment(actor=COMMUNE, cell_id="CB-AP-2"))
    await harness.advance(1)

    events = await a.events()
    accepted = next(e for e in events if isinstance(e.payload, CommuneAccepted))
    assert accepted.actor == COMMUNE
    assert accepted.cell_id == "CB-AP-2"
    assert events[-1].cell_id == "CB-AP-2"
    state = await a.assert_fold_matches()
    assert state.serving_cell_id == "CB-AP-2"
    assert await a.refused(SubmitAppraisal(actor=CELL_1, period="2026", text="x")) in ("forbidden", "unknown_reference")


async def test_an_excellent_grade_is_commended(harness: Harness) -> None:
    a = await harness.start()
    await a.command(AcceptAssignment(actor=COMMUNE))
    await live(a, until=add_months(await harness.today(), 4), behaviour=Behaviour(grade=lambda p: Grade.EXCELLENT))

    state = await a.assert_fold_matches()
    commended = [e for e in await a.events() if e.event_type == "Commended"]
    assert state.commendations == len(state.reviews) >= 1
    assert commended[0].actor.role == "post"  # the grading decided it
    assert (
        await a.refused(GradeMember(actor=POST, period=next(iter(state.reviews)), grade=Grade.GOOD)) == "already_done"
    )


async def test_a_member_the_commune_accepts_before_the_reminder_hour_takes_part_at_once(harness: Harness) -> None:
    a = await harness.start()
    await harness.advance_to(await harness.today() + timedelta(days=1), hour=1)  # 01:00 in Viet Nam
    await a.command(AcceptAssignment(actor=COMMUNE))

    for _ in range(200):
        if (await a.state()).stage == Stage.ACTIVE:
            break
        await harness.env.sleep(timedelta(milliseconds=10))
    state = await a.assert_fold_matches()
    joined = next(e for e in await a.events() if e.event_type == "CellJoined")
    assert state.stage == Stage.ACTIVE
    assert state.joined_on == await harness.today()
    assert joined.occurred_at.astimezone(VIETNAM).hour == 1  # not held until the 08:00 reminders
