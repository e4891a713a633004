"""Drives an AssignmentWorkflow as its users would: start it, send commands, let the months pass."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import gateway
from app.services import Services
from domain import ids
from domain.actors import Actor, Role
from domain.assignment import AssignmentState, fold, stream_of
from domain.calendar import VIETNAM, add_months, local_date
from domain.commands import Command, CommandResult, GradeMember, RecordMeeting, SubmitAppraisal
from domain.context import AssignmentContext, CellRef
from domain.errors import PhancongError
from domain.policy import DirectivePolicy
from domain.schedule import Action, ActionKind
from domain.vocabulary import AssignmentKind, Attendance, Contribution, Grade, Stage
from events import EventStore, RecordedEvent
from gateway import Connection
from infra.clock import FixedClock
from infra.postgres import Pool
from phancong.composition import postgres_services
from phancong.embedded import advance_clock
from phancong.settings import Settings
from workflows.assignment import AssignmentWorkflow
from workflows.assignment_io import AssignmentInput, Nomination

POST = Actor(role=Role.POST, id="DBP-HAM-LUONG")
COMMUNE = Actor(role=Role.COMMUNE, id="XA-TIEM-TOM")
HQ = Actor(role=Role.HQ)
CELLS = (
    CellRef(id="CB-AP-1", name="Chi bộ ấp 1", commune_id="XA-TIEM-TOM", meeting_day=15),
    CellRef(id="CB-AP-2", name="Chi bộ ấp 2", commune_id="XA-TIEM-TOM", meeting_day=20),
)
CELL_1 = Actor(role=Role.CELL, id="CB-AP-1")
CELL_2 = Actor(role=Role.CELL, id="CB-AP-2")


def member(n: int = 1) -> Actor:
    return Actor(role=Role.MEMBER, id=f"DV-{n:03d}")


@dataclass
class Assignment:
    """One started assignment: its handle and the means to read what it wrote."""

    harness: Harness
    handle: WorkflowHandle[AssignmentWorkflow, AssignmentState]
    assignment_id: str
    first_run_id: str

    @property
    def stream_id(self) -> str:
        return stream_of(self.assignment_id)

    async def command(self, command: Command) -> CommandResult:
        """Send a command the way the CLI and the API do (the Update of its kind in the registry)."""
        return await gateway.send(self.harness.env.client, self.assignment_id, command)

    async def refused(self, command: Command) -> str:
        """Send a command that must be refused; returns the refusal's code."""
        try:
            await self.command(command)
        except PhancongError as refused:
            return refused.code
        raise AssertionError(f"{type(command).__name__} was accepted")

    async def state(self) -> AssignmentState:
        state = await self.handle.query(AssignmentWorkflow.current)
        assert state is not None
        return state

    async def upcoming(self) -> list[Action]:
        return await self.handle.query(AssignmentWorkflow.upcoming)

    async def events(self) -> list[RecordedEvent]:
        return await self.harness.store.read_stream(self.stream_id)

    async def types(self) -> list[str]:
        return [e.event_type for e in await self.events()]

    async def assert_fold_matches(self) -> AssignmentState:
        """The invariant: the fold of what is in PostgreSQL is exactly the workflow's own state."""
        events = await self.events()
        folded = fold(e.payload for e in events)
        state = await self.state()
        assert folded == state
        assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
        return state

    async def runs(self) -> int:
        """How many runs the workflow has had (continue-as-new starts a new one)."""
        count, run_id = 1, self.first_run_id
        client = self.harness.env.client
        while True:
            history = await client.get_workflow_handle(self.handle.id, run_id=run_id).fetch_history()
            last = history.events[-1]
            if not last.HasField("workflow_execution_continued_as_new_event_attributes"):
                return count
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            count += 1


@dataclass
class Harness:
    env: WorkflowEnvironment
    store: EventStore
    pool: Pool
    task_queue: str
    started: list[WorkflowHandle[Any, Any]] = field(default_factory=list)  # by this harness, in order

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def services(self) -> Services:
        """The application's ports on the test's database and Temporal server, its clock the server's now."""

        async def client() -> Client:
            return self.env.client

        settings = Settings(task_queue=self.task_queue)
        return postgres_services(
            self.pool, self.store, Connection(client), settings=settings, clock=FixedClock(await self.now())
        )

    async def today(self) -> date:
        return local_date(await self.now())

    async def advance_to(self, day: date, hour: int = 12) -> None:
        """Let time pass until ``hour`` o'clock (Viet Nam) on ``day``; timers fire and activities run."""
        target = datetime.combine(day, datetime.min.time(), tzinfo=VIETNAM) + timedelta(hours=hour)
        await advance_clock(self.env, target)

    async def advance(self, days: int) -> None:
        await self.advance_to(
            await self.today() + timedelta(days=days), hour=(await self.now()).astimezone(VIETNAM).hour
        )

    async def start(
        self,
        *,
        member_no: int = 1,
        cell_id: str = "CB-AP-1",
        kind: AssignmentKind = AssignmentKind.CELL_PARTICIPATION,
        households: tuple[str, ...] = (),
        on_local_committee: bool = False,
        policy: DirectivePolicy | None = None,
        term_months: int = 24,
    ) -> Assignment:
        today = await self.today()
        member_id = f"DV-{member_no:03d}"
        target = f"NHOM-{member_id}" if kind == AssignmentKind.HOUSEHOLD_SPONSORSHIP else cell_id
        assignment_id = ids.assignment_id(f"681-CT/ĐU-{uuid.uuid4().hex[:6]}", member_id, target)
        request = AssignmentInput(
            nomination=Nomination(
                assignment_id=assignment_id,
                directive_id=assignment_id.split(":")[0],
                kind=kind,
                member_id=member_id,
                post_id=POST.id or "",
                commune_id="XA-TIEM-TOM",
                cell_id=cell_id,
                household_group_id=target if households else None,
                household_ids=households,
                on_local_committee=on_local_committee,
                resolution="12-NQ/ĐU",
                nominated_on=today,
                nominated_by=POST,
            ),
            context=AssignmentContext(
                policy=policy or DirectivePolicy(),
                term_starts_on=today,
                term_ends_on=_add_months(today, term_months) - timedelta(days=1),
                commune_cells=CELLS,
            ),
        )
        handle = await self.env.client.start_workflow(
            AssignmentWorkflow.run,
            request,
            id=ids.assignment_workflow_id(assignment_id),
            task_queue=self.task_queue,
        )
        assert handle.first_execution_run_id is not None
        self.started.append(handle)
        assignment = Assignment(self, handle, assignment_id, handle.first_execution_run_id)
        await self._settle(assignment)
        return assignment

    async def _settle(self, assignment: Assignment) -> None:
        # The nomination and introduction are appended by the first workflow task and two activities.
        for _ in range(200):
            state = await assignment.handle.query(AssignmentWorkflow.current)
            if state is not None and state.version >= 2:
                return
            await self.env.sleep(timedelta(milliseconds=10))
        raise AssertionError("the assignment did not start")


def _add_months(day: date, months: int) -> date:
    return add_months(day, months)


@dataclass
class Behaviour:
    """How the people around an assignment behave while time passes (tests set what they need)."""

    cell: Actor = CELL_1
    attendance: Any = None  # (month) -> Attendance; default: present
    grade: Any = None  # (period label) -> Grade; default: good
    answer_reviews: bool = True


async def live(assignment: Assignment, until: date, behaviour: Behaviour) -> None:
    """Let the assignment live until ``until``: the cell records each meeting on its day, reviews get answered.

    Time jumps from one thing people do to the next (a meeting, a review request), so months pass in seconds.
    """
    harness = assignment.harness
    for _ in range(1000):
        state = await assignment.state()
        if state.stage == Stage.ENDED:
            return
        today = await harness.today()
        if behaviour.answer_reviews:
            for review in state.reviews.values():
                if review.appraisal is None:
                    await assignment.command(
                        SubmitAppraisal(actor=behaviour.cell, period=review.period, text="Tích cực, gương mẫu"),
                    )
                if review.grade is None:
                    grade = behaviour.grade(review.period) if behaviour.grade else Grade.GOOD
                    await assignment.command(GradeMember(actor=POST, period=review.period, grade=grade))
        stops: list[tuple[date, str]] = []
        for action in await assignment.upcoming():
            if action.key.endswith(":record-reminder") and action.due_on is not None:
                meeting_on = action.due_on - timedelta(days=3)
                stops.append((meeting_on, f"meeting:{action.reference}"))
            elif action.kind == ActionKind.REQUEST_REVIEW:
                stops.append((local_date(action.due_at), "review"))
            elif action.kind in (
                ActionKind.ROTATION_END,
                ActionKind.TERM_END,
                ActionKind.RESUME,
                ActionKind.ROTATION_DUE,
            ):
                stops.append((local_date(action.due_at), action.kind.value))
        stops = [s for s in stops if s[0] >= today]
        if not stops:
            return
        day, what = min(stops)
        if day > until:
            await harness.advance_to(until, hour=20)
            return
        await harness.advance_to(day, hour=18)
        state = await assignment.state()
        if what.startswith("meeting:") and state.stage in (Stage.ACTIVE, Stage.PAUSED):
            month = what.removeprefix("meeting:")
            if month not in state.meetings:
                attendance = behaviour.attendance(month) if behaviour.attendance else Attendance.PRESENT
                await assignment.command(
                    RecordMeeting(
                        actor=behaviour.cell,
                        meeting_on=day,
                        attendance=attendance,
                        excuse="công tác" if attendance == Attendance.EXCUSED else None,
                        contributions=(Contribution.BORDER_BRIEFING,) if attendance == Attendance.PRESENT else (),
                    ),
                )
    raise AssertionError("the assignment's life did not progress")
