"""DirectiveWorkflow: HQ's directive from issue to close, steering its assignments.

It asks each post in scope to nominate, accepts nominations by its rules (Update with validator), starts one
AssignmentWorkflow per nomination from an activity (never as children: a national directive has thousands),
hears each assignment's stage changes (signals), asks for replacements, escalates uncovered cells, writes
the sơ kết and tổng kết summaries, and closes at the end of term. Its events go to ``directive-{code}``.
Long lives stay small: the run continues as new whenever its history grows.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.actors import SYSTEM, Actor, Role
    from domain.calendar import local_date
    from domain.context import AssignmentContext, CellRef
    from domain.directive import AssignmentSummary, DirectiveState
    from domain.directive_commands import AmendDirective, CloseDirective, Nominate
    from domain.directive_fold import AssignmentChanged, apply_directive, mark_started, report
    from domain.directive_rules import (
        DirectiveActionKind,
        check_close,
        decide_amendment,
        decide_nomination,
        figures,
        issued,
        nomination_requests,
        pending_directive_actions,
        perform_directive,
    )
    from domain.errors import CommandRejectedError
    from domain.event import DomainEvent
    from domain.events.directive import DirectiveAmended, DirectiveClosed
    from domain.notices import directive_notices
    from domain.vocabulary import EndReason
    from events.envelope import NewEvent
    from workflows import store
    from workflows.alarm import Alarm
    from workflows.assignment_io import AssignmentInput, ContextAmendment, Nomination
    from workflows.calls import DirectiveCalls
    from workflows.directive_io import (
        AmendAssignmentsInput,
        DirectiveCommandResult,
        DirectiveInput,
        EndAssignmentsInput,
        StartAssignmentsInput,
    )
    from workflows.store import STORE_RETRY

BUSY = "busy"  # a refusal that means "not now": the gateway sends the command again
START_BATCH = 100
# Continue as new well before Temporal's limits (50k events, 2,000 updates per history), and while a replay
# of the run (after the worker's cache evicted it, among thousands of assignments) stays well inside
# TASK_TIMEOUT: a national directive's run of 10,000 events took minutes to replay on two cores.
MAX_HISTORY_EVENTS = 2_000
# The directive's workflow task timeout (Temporal's default is 10 s): its state is large, and a replay
# that outlived the timeout would be retried, and time out again, for ever. Continue-as-new keeps it.
TASK_TIMEOUT = timedelta(seconds=60)
MAX_UPDATES_PER_RUN = 400
FANOUT_TIMEOUT = timedelta(minutes=10)


@workflow.defn
class DirectiveWorkflow:
    @workflow.init
    def __init__(self, request: DirectiveInput) -> None:
        self._request = request
        self._state: DirectiveState | None = request.carried
        self._lock = asyncio.Lock()
        self._changed = False
        self._closing: CloseDirective | None = None
        self._updates = 0
        self._alarm = Alarm()

    @workflow.run
    async def run(self, request: DirectiveInput) -> DirectiveState:
        if self._state is None:
            await self._issue()
        while self.state.open:
            if self.state.unstarted():
                await self._start_pending()
            elif self._closing is not None:
                await self._close(self._closing.reason, self._closing.actor, f"command:{self._closing.command_id}")
            elif self._continue_as_new_due():
                # Handlers may be waiting for the loop (nominations to start, a close): serve them first.
                await workflow.wait_condition(lambda: self._idle() or self._loop_has_work())
                if self._idle():
                    workflow.continue_as_new(request.model_copy(update={"carried": self.state}))
            else:
                await self._step()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    def _loop_has_work(self) -> bool:
        return bool(self.state.unstarted()) or self._closing is not None

    def _idle(self) -> bool:
        return workflow.all_handlers_finished() and not self._loop_has_work()

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > MAX_HISTORY_EVENTS
            or self._updates >= MAX_UPDATES_PER_RUN
        )

    async def _issue(self) -> None:
        d = self._request.directive
        first = issued(d)
        async with self._lock:
            await self._emit([first], actor=self._request.issued_by, causation=f"directive:{d.code}")
            requests = nomination_requests(self.state, [p.id for p in d.posts], self._today())
            if requests:
                await self._emit(list(requests), actor=SYSTEM, causation=f"directive:{d.code}")

    async def _step(self) -> None:
        now = workflow.now()
        actions = pending_directive_actions(self.state, now)
        due = [a for a in actions if a.due_at <= now]
        if due:
            action = due[0]
            if action.kind == DirectiveActionKind.CLOSE:
                await self._close("hết nhiệm kỳ chỉ thị", SYSTEM, "schedule:term:end")
                return
            async with self._lock:
                current = [a for a in pending_directive_actions(self.state, now) if a.key == action.key]
                if current:
                    await self._emit(
                        perform_directive(self.state, current[0], self._today()), actor=SYSTEM, causation="schedule"
                    )
            return
        self._changed = False
        await self._alarm.wait(lambda: self._changed, actions[0].due_at if actions else None)

    # -- assignments ----------------------------------------------------------------------------------

    def _assignment_input(
        self, summary: AssignmentSummary, cells_by_commune: dict[str, tuple[CellRef, ...]]
    ) -> AssignmentInput:
        d = self.state.directive
        return AssignmentInput(
            nomination=Nomination(
                assignment_id=summary.assignment_id,
                directive_id=d.code,
                kind=d.kind,
                member_id=summary.member_id,
                post_id=summary.post_id,
                commune_id=summary.commune_id,
                cell_id=summary.cell_id,
                household_group_id=summary.household_group_id,
                household_ids=summary.household_ids,
                on_local_committee=summary.on_local_committee,
                resolution=summary.resolution,
                nominated_on=summary.nominated_on,
                nominated_by=Actor(role=Role.POST, id=summary.post_id),
                simulated=d.simulated,
            ),
            context=AssignmentContext(
                policy=d.policy,
                term_starts_on=d.term_starts_on,
                term_ends_on=d.term_ends_on,
                commune_cells=cells_by_commune.get(summary.commune_id, ()),
            ),
            directive_workflow_id=workflow.info().workflow_id,
        )

    async def _start_pending(self) -> None:
        batch = self.state.unstarted()[:START_BATCH]
        grouped: dict[str, list[CellRef]] = {}
        for cell in self.state.directive.commune_cells:  # once per batch: a national directive has 2,600
            grouped.setdefault(cell.commune_id, []).append(cell)
        cells_by_commune = {commune: tuple(cells) for commune, cells in grouped.items()}
        requests = [self._assignment_input(a, cells_by_commune) for a in batch]
        await workflow.execute_activity_method(
            DirectiveCalls.start_assignments,
            StartAssignmentsInput(task_queue=workflow.info().task_queue, requests=requests),
            start_to_close_timeout=FANOUT_TIMEOUT,
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=STORE_RETRY,
        )
        self._state = mark_started(self.state, [a.assignment_id for a in batch])
        self._changed = True

    async def _end_assignments(self, assignment_ids: list[str], reason: EndReason, note: str, actor: Actor) -> int:
        if not assignment_ids:
            return 0
        return await workflow.execute_activity_method(
            DirectiveCalls.end_assignments,
            EndAssignmentsInput(
                directive_id=self.state.directive.code,
                assignment_ids=assignment_ids,
                reason=reason,
                note=note,
                actor=actor if actor.role in (Role.HQ, Role.SYSTEM) else SYSTEM,
            ),
            start_to_close_timeout=FANOUT_TIMEOUT,
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=STORE_RETRY,
        )

    async def _close(self, reason: str, actor: Actor, causation: str) -> None:
        live = [a.assignment_id for a in self.state.assignments.values() if a.live]
        ended = await self._end_assignments(live, EndReason.TERM_COMPLETED, reason, actor)
        async with self._lock:
            closed = DirectiveClosed(closed_on=self._today(), reason=reason, ended_assignments=ended)
            await self._emit([closed], actor=actor, causation=causation)

    # -- appending ------------------------------------------------------------------------------------

    def _today(self) -> date:
        return local_date(workflow.now())

    async def _emit(self, payloads: list[DomainEvent], *, actor: Actor, causation: str) -> None:
        """Append after the state's version, fold, queue notices. Hold the lock."""
        code = self._request.directive.code
        stream = f"directive-{code}"
        version = self._state.version if self._state is not None else 0
        now = workflow.now()
        new_events: list[NewEvent[DomainEvent]] = [
            NewEvent(
                event_id=ids.event_id(stream, version + i),
                payload=payload,
                occurred_at=now,
                actor=actor,
                directive_id=code,
                causation_id=causation,
            )
            for i, payload in enumerate(payloads, start=1)
        ]
        await store.append(stream, version, new_events, by_person=actor.role != Role.SYSTEM)
        state = self._state
        for payload in payloads:
            state = apply_directive(state, payload)
        assert state is not None
        self._state = state
        self._changed = True
        for payload in payloads:
            for notice in directive_notices(payload):
                await store.queue_notice(stream, notice, directive_id=code, assignment_id=None)

    # -- commands (Updates) and reports (signals) -----------------------------------------------------

    def _refuse(self, rejected: CommandRejectedError) -> ApplicationError:
        return ApplicationError(rejected.message, type=rejected.code, non_retryable=True)

    def _refuse_while_draining(self) -> None:
        """Once the run is due to continue as new, take no new nomination or amendment (they would keep it from
        ever being idle): the caller is told BUSY and sends the same command again, to the next run."""
        if self._continue_as_new_due():
            raise ApplicationError("the directive is continuing as new: send again", type=BUSY, non_retryable=True)

    @workflow.update
    async def nominate(self, command: Nominate) -> DirectiveCommandResult:
        self._updates += 1
        async with self._lock:
            try:
                events = decide_nomination(self.state, command, self._today())
            except CommandRejectedError as rejected:
                raise self._refuse(rejected) from None
            await self._emit(events, actor=command.actor, causation=f"command:{command.command_id}")
        started = [getattr(e, "assignment_id", "") for e in events]
        # The run loop starts them (in batches, with everyone else's); answer once they exist.
        await workflow.wait_condition(lambda: all(self.state.assignments[i].started for i in started))
        return self._result(events, tuple(started))

    @nominate.validator
    def _validate_nominate(self, command: Nominate) -> None:
        self._refuse_while_draining()
        try:
            decide_nomination(self.state, command, self._today())
        except CommandRejectedError as rejected:
            raise self._refuse(rejected) from None

    @workflow.update
    async def amend(self, command: AmendDirective) -> DirectiveCommandResult:
        self._updates += 1
        async with self._lock:
            try:
                events = decide_amendment(self.state, command, self._today())
            except CommandRejectedError as rejected:
                raise self._refuse(rejected) from None
            before = self.state
            await self._emit(events, actor=command.actor, causation=f"command:{command.command_id}")
            amended = events[0]
            assert isinstance(amended, DirectiveAmended)
            affected = sorted(
                {p.id for p in self.state.directive.posts for c in amended.added_cells if c.commune_id in p.commune_ids}
            )
            requests = nomination_requests(self.state, affected, self._today())
            if requests:
                await self._emit(list(requests), actor=SYSTEM, causation=f"command:{command.command_id}")
        removed = set(amended.removed_cells)
        in_removed = [a.assignment_id for a in before.assignments.values() if a.live and a.cell_id in removed]
        await self._end_assignments(in_removed, EndReason.WITHDRAWN, "chi bộ ra khỏi phạm vi chỉ thị", command.actor)
        if amended.policy is not None or amended.term_ends_on is not None:
            live = [a.assignment_id for a in self.state.assignments.values() if a.live and a.started]
            if live:
                await workflow.execute_activity_method(
                    DirectiveCalls.amend_assignments,
                    AmendAssignmentsInput(
                        assignment_ids=live,
                        amendment=ContextAmendment(policy=amended.policy, term_ends_on=amended.term_ends_on),
                    ),
                    start_to_close_timeout=FANOUT_TIMEOUT,
                    heartbeat_timeout=timedelta(minutes=1),
                    retry_policy=STORE_RETRY,
                )
        return self._result(events, ())

    @amend.validator
    def _validate_amend(self, command: AmendDirective) -> None:
        self._refuse_while_draining()
        try:
            decide_amendment(self.state, command, self._today())
        except CommandRejectedError as rejected:
            raise self._refuse(rejected) from None

    @workflow.update
    async def close(self, command: CloseDirective) -> DirectiveCommandResult:
        self._updates += 1
        self._closing = command
        self._changed = True
        await workflow.wait_condition(lambda: not self.state.open)
        return self._result([], ())

    @close.validator
    def _validate_close(self, command: CloseDirective) -> None:
        try:
            check_close(self.state, command)
        except CommandRejectedError as rejected:
            raise self._refuse(rejected) from None

    @workflow.signal
    def assignment_changed(self, change: AssignmentChanged) -> None:
        if self._state is not None:
            self._state = report(self._state, change)
            self._changed = True

    def _result(self, events: list[DomainEvent], assignment_ids: tuple[str, ...]) -> DirectiveCommandResult:
        return DirectiveCommandResult(
            directive_id=self.state.directive.code,
            version=self.state.version,
            events=tuple(e.type for e in events),
            assignment_ids=assignment_ids,
        )

    # -- queries --------------------------------------------------------------------------------------

    @property
    def state(self) -> DirectiveState:
        if self._state is None:
            raise ApplicationError("the directive is being issued", type="wrong_state", non_retryable=True)
        return self._state

    @workflow.query
    def current(self) -> DirectiveState | None:
        return self._state

    @workflow.query
    def coverage(self) -> dict[str, int]:
        return figures(self.state)
