"""AssignmentWorkflow: one member in one cell (or household group), for the whole life of the assignment.

Every step is an event appended through the ``append_events`` activity with an id derived from the stream
and version, so a retried activity or a replayed workflow never loses or doubles one. The workflow's state
is the fold of the events it appended (``domain.assignment.apply``, the read side's fold too). What is due
next (reminders, escalations, reviews, rotation, the end of term) is derived from that state by
``domain.schedule``; one loop sleeps until the next action or until a command changes the state.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.actors import SYSTEM, Actor, Role
    from domain.assignment import AssignmentState, apply
    from domain.calendar import local_date
    from domain.commands import Command, CommandResult
    from domain.context import AssignmentContext
    from domain.decisions import COMMANDS, CommandKind, decide
    from domain.directive_fold import AssignmentChanged
    from domain.errors import CommandRejectedError
    from domain.event import DomainEvent
    from domain.events.assignment import IntroductionSent, MemberNominated
    from domain.notices import notices_for
    from domain.schedule import Action, due_events, pending_actions
    from domain.vocabulary import Stage
    from events.envelope import NewEvent
    from workflows import search_attributes, store
    from workflows.alarm import Alarm
    from workflows.assignment_io import AssignmentInput, ContextAmendment, Nomination

# Runs recorded before a join took effect at the start of its day waited for the reminder hour (08:00) to join
# a member the commune accepted earlier that day; they replay that way.
JOIN_AT_START_OF_DAY = "join-at-start-of-day"


class AssignmentWorkflow:
    @workflow.init
    def __init__(self, request: AssignmentInput) -> None:
        self._nomination = request.nomination
        self._context: AssignmentContext = request.context
        self._directive_workflow_id = request.directive_workflow_id
        self._state: AssignmentState | None = request.carried
        self._lock = asyncio.Lock()
        self._changed = False
        self._review_boundary = False
        self._alarm = Alarm()
        self._join_at_start_of_day = True  # settled by the run (see JOIN_AT_START_OF_DAY)

    # -- the run ---------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: AssignmentInput) -> AssignmentState:
        self._join_at_start_of_day = workflow.patched(JOIN_AT_START_OF_DAY)
        if self._state is None:
            await self._nominate()
        else:
            self._upsert_search_attributes()
        while self.state.stage != Stage.ENDED:
            if self._review_boundary or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(request.model_copy(update={"context": self._context, "carried": self.state}))
            await self._step()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    async def _nominate(self) -> None:
        """The post's nomination, then the introduction letter to the commune (its answer now runs)."""
        n = self._nomination
        today = self._today()
        causation = f"nomination:{n.resolution or n.assignment_id}"
        async with self._lock:
            await self._emit([_nominated(n)], actor=n.nominated_by, causation=causation)
            response_due = today + timedelta(days=self._context.policy.commune_response_days)
            introduction = IntroductionSent(commune_id=n.commune_id, sent_on=today, response_due_on=response_due)
            await self._emit([introduction], actor=SYSTEM, causation=causation)

    async def _step(self) -> None:
        """Perform what is due, or sleep until the next action is due or a command changes the state."""
        due = self._due_actions()
        if due:
            async with self._lock:
                await self._perform_due()
            return
        upcoming = self._pending(self.state, workflow.now())
        self._changed = False
        await self._alarm.wait(lambda: self._changed, upcoming[0].due_at if upcoming else None)

    def _due_actions(self) -> list[Action]:
        now = workflow.now()
        return [a for a in self._pending(self.state, now) if a.due_at <= now]

    def _pending(self, state: AssignmentState, now: datetime) -> list[Action]:
        return pending_actions(state, self._context, now, join_at_start_of_day=self._join_at_start_of_day)

    async def _perform_due(self) -> None:
        """Perform every due action in order, as one append."""
        events, boundary = due_events(
            self.state, self._context, workflow.now(), join_at_start_of_day=self._join_at_start_of_day
        )
        self._review_boundary = self._review_boundary or boundary
        if events:
            await self._emit(events, actor=SYSTEM, causation="schedule")

    # -- appending ------------------------------------------------------------------------------------

    async def _emit(self, payloads: list[DomainEvent], *, actor: Actor, causation: str) -> None:
        """Append ``payloads`` after the state's version, fold them, then queue their notices. Hold the lock."""
        n = self._nomination
        stream = f"assignment-{n.assignment_id}"
        version = self._state.version if self._state is not None else 0
        now = workflow.now()
        states: list[AssignmentState] = []
        state = self._state
        for payload in payloads:
            state = apply(state, payload)
            states.append(state)
        new_events: list[NewEvent[DomainEvent]] = [
            NewEvent(
                event_id=ids.event_id(stream, version + i),
                payload=payload,
                occurred_at=now,
                actor=actor,
                directive_id=n.directive_id,
                causation_id=causation,
                member_id=n.member_id,
                # The cell the event concerns: after a placement, the commune's cell.
                cell_id=after.serving_cell_id,
            )
            for i, (payload, after) in enumerate(zip(payloads, states, strict=True), start=1)
        ]
        await store.append(stream, version, new_events, by_person=actor.role != Role.SYSTEM)
        before = self._state
        assert state is not None
        self._state = state
        self._changed = True
        if before is None or state.stage != before.stage:
            self._upsert_search_attributes()
        if before is None or state.stage != before.stage or state.rotation_due_on != before.rotation_due_on:
            await self._report_to_directive(state)
        for payload, after in zip(payloads, states, strict=True):
            for notice in notices_for(payload, after):
                await store.queue_notice(stream, notice, directive_id=n.directive_id, assignment_id=n.assignment_id)

    async def _report_to_directive(self, state: AssignmentState) -> None:
        """Tell the directive this assignment's new stage (it tracks coverage and asks for replacements)."""
        if self._directive_workflow_id is None:
            return
        report = AssignmentChanged(
            assignment_id=state.assignment_id,
            stage=state.stage,
            cell_id=state.serving_cell_id,
            end_reason=state.end_reason,
            rotation_due_on=state.rotation_due_on,
        )
        try:
            await workflow.get_external_workflow_handle(self._directive_workflow_id).signal(
                "assignment_changed", report
            )
        except Exception as exc:
            workflow.logger.warning("directive %s did not take the report: %s", self._directive_workflow_id, exc)

    def _upsert_search_attributes(self) -> None:
        state = self.state
        workflow.upsert_search_attributes(
            [
                search_attributes.ASSIGNMENT_STAGE.value_set(state.stage.value),
                search_attributes.DIRECTIVE_ID.value_set(state.directive_id),
                search_attributes.POST_ID.value_set(state.post_id),
                search_attributes.COMMUNE_ID.value_set(state.commune_id),
                search_attributes.CELL_ID.value_set(state.serving_cell_id),
                search_attributes.MEMBER_ID.value_set(state.member_id),
            ]
        )

    # -- commands (Updates) ---------------------------------------------------------------------------

    def _today(self) -> date:
        return local_date(workflow.now())

    def _check(self, command: Command) -> list[DomainEvent]:
        if self._state is None:
            raise ApplicationError("the assignment is not nominated yet", type="wrong_state", non_retryable=True)
        try:
            return decide(self._state, self._context, command, self._today())
        except CommandRejectedError as rejected:
            raise ApplicationError(rejected.message, type=rejected.code, non_retryable=True) from None

    async def _handle(self, command: Command) -> CommandResult:
        async with self._lock:
            # Checked again under the lock: another command may have changed the state since validation.
            events = self._check(command)
            await self._emit(events, actor=command.actor, causation=f"command:{command.command_id}")
            # What the command made due now happens with it (accepting with today's joining date joins).
            await self._perform_due()
        return CommandResult(
            assignment_id=self._nomination.assignment_id,
            version=self.state.version,
            stage=self.state.stage.value,
            events=tuple(e.type for e in events),
        )

    @workflow.signal
    def amend_context(self, amendment: ContextAmendment) -> None:
        """The directive was amended: the schedule follows the new policy and end of term from now on."""
        changes: dict[str, object] = {}
        if amendment.policy is not None:
            changes["policy"] = amendment.policy
        if amendment.term_ends_on is not None:
            changes["term_ends_on"] = amendment.term_ends_on
        self._context = self._context.model_copy(update=changes)
        self._changed = True

    # -- queries --------------------------------------------------------------------------------------

    @property
    def state(self) -> AssignmentState:
        assert self._state is not None, "the assignment is nominated first thing in the run"
        return self._state

    @workflow.query
    def current(self) -> AssignmentState | None:
        """The assignment's state: the fold of every event it has appended."""
        return self._state

    @workflow.query
    def upcoming(self) -> list[Action]:
        """The scheduled actions not yet done, next first."""
        if self._state is None:
            return []
        return self._pending(self._state, workflow.now())


def _command_update(kind: CommandKind) -> Any:
    """The Update (with its validator) of one command of the registry (``domain.decisions.COMMANDS``): the
    validator refuses before anything is written, the handler decides again under the lock and appends."""

    async def handler(self, command):  # type: ignore[no-untyped-def]  # typed below, for Temporal
        return await self._handle(command)

    def validator(self, command):  # type: ignore[no-untyped-def]
        self._check(command)

    handler.__annotations__ = {"command": kind.model, "return": CommandResult}
    validator.__annotations__ = {"command": kind.model, "return": None}
    handler.__name__ = handler.__qualname__ = kind.name
    update = workflow.update(name=kind.name)(handler)
    update.validator(validator)
    return update


# Each command of the registry is an Update of the same name (accept, record_meeting, grade, …).
for _kind in COMMANDS:
    setattr(AssignmentWorkflow, _kind.name, _command_update(_kind))
AssignmentWorkflow = workflow.defn(AssignmentWorkflow)  # type: ignore[misc]  # after its Updates are set


def _nominated(n: Nomination) -> MemberNominated:
    return MemberNominated(
        assignment_id=n.assignment_id,
        directive_id=n.directive_id,
        kind=n.kind,
        member_id=n.member_id,
        post_id=n.post_id,
        commune_id=n.commune_id,
        cell_id=n.cell_id,
        household_group_id=n.household_group_id,
        household_ids=n.household_ids,
        on_local_committee=n.on_local_committee,
        resolution=n.resolution,
        nominated_on=n.nominated_on,
        simulated=n.simulated,
    )
