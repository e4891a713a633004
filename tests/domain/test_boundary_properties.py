"""Property tests of the boundary (pure, fast): whatever comes in is refused with a reason, or accepted in its
normal form and within bounds; and whatever the boundary accepts, the rules, the fold, the schedule and the
task lists handle without failing (a workflow task must never fail on accepted input)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from domain import bounds
from domain.actors import Actor, Role
from domain.assignment import AssignmentState, apply
from domain.calendar import VIETNAM, add_months
from domain.commands import (
    AcceptAssignment,
    Commend,
    Correct,
    DeclineAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    RecordMeeting,
    SubmitAppraisal,
    WithdrawMember,
)
from domain.context import AssignmentContext, CellRef
from domain.decisions import decide
from domain.directive import CellInScope, DirectiveState, PostInScope, ResolvedDirective
from domain.directive_commands import AmendDirective
from domain.directive_rules import decide_amendment, pending_directive_actions
from domain.errors import CommandRejectedError
from domain.policy import DirectivePolicy
from domain.schedule import pending_actions
from domain.tasks import assignment_tasks, directive_tasks
from domain.vocabulary import ActivityKind, AssignmentKind, Attendance, EndReason, Grade, Stage

pytestmark = pytest.mark.unit

TEXT_TYPES = {
    "EntryId": (bounds.EntryId, bounds.ID_LENGTH, False),
    "DirectiveCode": (bounds.DirectiveCode, bounds.CODE_LENGTH, False),
    "Name": (bounds.Name, bounds.NAME_LENGTH, False),
    "Title": (bounds.Title, bounds.TITLE_LENGTH, False),
    "Text": (bounds.Text, bounds.TEXT_LENGTH, True),
}
# Anything people (or their keyboards, or a broken file) might send: every code point, surrogates included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=120) | st.sampled_from(
    ["", " ", "\x00", "a\x00b", "Đồn\u0301", unicodedata.normalize("NFD", "ĐBP-HỮU-NGHỊ"), "x" * 5000, "a\nb"]
)


@pytest.mark.parametrize("name", sorted(TEXT_TYPES))
@given(value=ANY_TEXT)
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_text_is_refused_or_accepted_normalized_and_bounded(name: str, value: str) -> None:
    kind, length, lines = TEXT_TYPES[name]
    try:
        accepted = TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return
    assert accepted == unicodedata.normalize("NFC", accepted) == accepted.strip()
    assert len(accepted) <= length
    forbidden = {chr(c) for c in range(0x20) if not lines or chr(c) not in "\t\n\r"} | {chr(0x7F)}
    assert not set(accepted) & forbidden
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in accepted)
    accepted.encode("utf-8")  # what PostgreSQL will be given


@given(amount=st.integers(min_value=-(10**30), max_value=10**30))
def test_an_amount_is_accepted_exactly_within_its_bounds(amount: int) -> None:
    try:
        TypeAdapter(bounds.Vnd).validate_python(amount)
    except ValidationError:
        assert not 0 <= amount <= bounds.MAX_VND
    else:
        assert 0 <= amount <= bounds.MAX_VND


@given(day=st.dates())
def test_a_business_date_is_accepted_exactly_within_the_window(day: date) -> None:
    inside = bounds.EARLIEST_DATE <= day <= bounds.LATEST_DATE
    try:
        TypeAdapter(bounds.BusinessDate).validate_python(day)
    except ValidationError:
        assert not inside
    else:
        assert inside


# -- accepted means safe ------------------------------------------------------------------------------------

POST = Actor(role=Role.POST, id="DBP-1")
COMMUNE = Actor(role=Role.COMMUNE, id="XA-1")
CELL = Actor(role=Role.CELL, id="CB-1")
MEMBER = Actor(role=Role.MEMBER, id="DV-1")
HQ = Actor(role=Role.HQ)
CELLS = (CellRef(id="CB-1", commune_id="XA-1", meeting_day=31), CellRef(id="CB-2", commune_id="XA-1", meeting_day=1))


# Review periods divide the year; the policy's own validator keeps them to these.
PERIOD_FIELDS = ("review_period_months", "interim_review_months", "annual_review_months")
WIDE = 10**9  # a field whose schema names no bound is drawn from here: the test then finds what it lets through


def _integers(schema: dict[str, Any]) -> st.SearchStrategy[int]:
    low, high = schema.get("minimum", -WIDE), schema.get("maximum", WIDE)
    return st.sampled_from([low, high]) | st.integers(low, high)


@st.composite
def policies(draw: st.DrawFn) -> DirectivePolicy:
    """Any policy the model accepts, every field drawn from the bounds its own schema states (edges included)."""
    schema = DirectivePolicy.model_json_schema()
    review = draw(st.sampled_from([1, 2, 3, 4, 6, 12]))
    interim = draw(st.sampled_from([m for m in (1, 2, 3, 4, 6, 12) if m % review == 0]))
    annual = draw(st.sampled_from([m for m in (1, 2, 3, 4, 6, 12) if m % interim == 0]))
    values: dict[str, Any] = dict(zip(PERIOD_FIELDS, (review, interim, annual), strict=True))
    for name, spec in schema["properties"].items():
        if name in PERIOD_FIELDS:
            continue
        if spec.get("type") == "integer":
            values[name] = draw(_integers(spec))
        elif spec.get("type") == "array":
            items = st.lists(_integers(spec["items"]), max_size=spec.get("maxItems", 50), unique=True)
            values[name] = tuple(sorted(draw(items), reverse=True))
    # The validator's two orderings: households min <= max, a record's escalation after its deadline.
    values["households_min"], values["households_max"] = sorted((values["households_min"], values["households_max"]))
    if values["meeting_record_escalation_days"] <= values["meeting_record_days"]:
        values["meeting_record_days"], values["meeting_record_escalation_days"] = sorted(
            (values["meeting_record_days"], values["meeting_record_escalation_days"])
        )
    try:
        return DirectivePolicy(**values)
    except ValidationError:
        assume(False)
        raise


@st.composite
def terms(draw: st.DrawFn) -> tuple[date, date]:
    """Any term a directive may have: in the window, at most ten years."""
    start = draw(st.dates(bounds.EARLIEST_DATE, bounds.LATEST_DATE - timedelta(days=1)))
    latest = min(add_months(start, bounds.MAX_TERM_MONTHS), bounds.LATEST_DATE)
    return start, draw(st.dates(start + timedelta(days=1), latest))


def in_window(**kwargs: Any) -> st.SearchStrategy[date]:
    return st.dates(bounds.EARLIEST_DATE, bounds.LATEST_DATE, **kwargs)


def commands(today: date) -> st.SearchStrategy[Any]:
    """Commands as the boundary accepts them, of every kind, within bounds (edges included)."""
    texts = st.sampled_from(["x", "Tích cực", "a" * bounds.TEXT_LENGTH, "dòng 1\ndòng 2"])
    days = st.sampled_from([today, bounds.EARLIEST_DATE, bounds.LATEST_DATE]) | in_window()
    return st.one_of(
        st.builds(AcceptAssignment, actor=st.just(COMMUNE), cell_id=st.sampled_from([None, "CB-2"]), join_on=days),
        st.builds(DeclineAssignment, actor=st.just(COMMUNE), reason=texts),
        st.builds(
            RecordMeeting,
            actor=st.just(CELL),
            meeting_on=days,
            attendance=st.sampled_from(Attendance),
            excuse=texts,
        ),
        st.builds(
            LogActivity,
            actor=st.just(MEMBER),
            activity_on=days,
            kind=st.sampled_from(ActivityKind),
            quantity=st.sampled_from([0, 1, bounds.MAX_QUANTITY]),
            amount_vnd=st.sampled_from([0, 1, bounds.MAX_VND]),
        ),
        st.builds(SubmitAppraisal, actor=st.just(CELL), period=st.sampled_from(["2027-Q1", "follow-up-1"]), text=texts),
        st.builds(GradeMember, actor=st.just(POST), period=st.just("2027-Q1"), grade=st.sampled_from(Grade)),
        st.builds(Commend, actor=st.just(HQ), reason=texts),
        st.builds(Correct, actor=st.just(HQ), reason=texts),
        st.builds(PauseAssignment, actor=st.just(POST), reason=texts, until=st.none() | days),
        st.builds(WithdrawMember, actor=st.just(POST), reason=st.sampled_from(EndReason)),
    )


def _assignment(stage: Stage, on: date) -> AssignmentState:
    return AssignmentState(
        assignment_id="D:DV-1:CB-1",
        directive_id="D",
        kind=AssignmentKind.CELL_PARTICIPATION,
        member_id="DV-1",
        post_id="DBP-1",
        commune_id="XA-1",
        cell_id="CB-1",
        stage=stage,
        nominated_on=on,
        response_due_on=on + timedelta(days=15),
        joined_on=on if stage in (Stage.ACTIVE, Stage.PAUSED) else None,
    )


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=VIETNAM).astimezone(UTC)


@given(data=st.data(), policy=policies(), term=terms(), stage=st.sampled_from(list(Stage)))
@settings(max_examples=300, deadline=None)
def test_a_command_the_boundary_accepts_is_decided_folded_and_scheduled_without_failing(
    data: st.DataObject, policy: DirectivePolicy, term: tuple[date, date], stage: Stage
) -> None:
    start, end = term
    today = data.draw(st.dates(start, end), label="today")
    ctx = AssignmentContext(policy=policy, term_starts_on=start, term_ends_on=end, commune_cells=CELLS)
    state = _assignment(stage, start)
    command = data.draw(commands(today), label="command")
    try:
        events = decide(state, ctx, command, today)
    except CommandRejectedError:
        return  # refused with its code: what the workflow's validator does
    for event in events:
        state = apply(state, event)
    for moment in (today, end, end + timedelta(days=1)):
        pending_actions(state, ctx, _noon(moment))
        assignment_tasks(state, ctx, moment)


@given(data=st.data(), policy=policies(), term=terms())
@settings(max_examples=200, deadline=None)
def test_an_amendment_the_boundary_accepts_leaves_a_directive_that_schedules_without_failing(
    data: st.DataObject, policy: DirectivePolicy, term: tuple[date, date]
) -> None:
    start, end = term
    today = data.draw(st.dates(start, end), label="today")
    directive = ResolvedDirective(
        code="D",
        title="t",
        issuing_body="b",
        issued_on=start,
        kind=AssignmentKind.CELL_PARTICIPATION,
        term_starts_on=start,
        term_ends_on=end,
        policy=policy,
        cells=(CellInScope(id="CB-1", commune_id="XA-1", meeting_day=31),),
        posts=(PostInScope(id="DBP-1", commune_ids=("XA-1",)),),
        commune_cells=CELLS,
    )
    state = DirectiveState(directive=directive, version=1, nomination_due={"DBP-1": start + timedelta(days=15)})
    new_end = data.draw(st.sampled_from([bounds.LATEST_DATE, bounds.EARLIEST_DATE, today]) | in_window())
    amendment = AmendDirective(actor=HQ, term_ends_on=new_end, policy=data.draw(st.none() | policies()))
    try:
        events = decide_amendment(state, amendment, today)
    except CommandRejectedError:
        return
    directive = directive.model_copy(update={"term_ends_on": new_end, "policy": amendment.policy or policy})
    amended = state.model_copy(update={"directive": directive, "version": state.version + len(events)})
    for moment in (today, new_end, new_end + timedelta(days=1)):
        pending_directive_actions(amended, _noon(moment))
        directive_tasks(amended, set(), moment)
