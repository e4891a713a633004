"""Living through a simulated directive day by day on the time-skipping server, writing real events."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Awaitable
from datetime import date, datetime, timedelta

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

import gateway
import worker
from app.directives import NominationRequest, nomination, resolve
from app.directory import apply_directory
from directory.repository import DirectoryRepository
from domain import ids
from domain.actors import Actor, Role
from domain.assignment import AssignmentState
from domain.calendar import VIETNAM, local_date, meetings_between, month_key
from domain.commands import (
    AcceptAssignment,
    Command,
    DeclineAssignment,
    GradeMember,
    LogActivity,
    RecordMeeting,
    SubmitAppraisal,
)
from domain.directive import DirectiveState
from domain.directive_fold import with_reports
from domain.directive_rules import figures, uncovered_cells
from domain.errors import CommandRejectedError, PhancongError
from domain.vocabulary import Attendance, Contribution, Stage
from events import EventStore
from infra.postgres import Pool
from phancong.composition import vault_for
from phancong.embedded import advance_clock
from phancong.settings import Settings
from projections.catalog import all_projections
from projections.queries import PostgresReadModels
from projections.runner import Projector
from simulation.behaviour import Behaviour
from simulation.generator import generate_directory, simulated_directive
from workflows.directive import TASK_TIMEOUT as DIRECTIVE_TASK_TIMEOUT
from workflows.directive import DirectiveWorkflow
from workflows.directive_io import DirectiveInput

HQ = Actor(role=Role.HQ)
CONCURRENCY = 16
log = structlog.stdlib.get_logger("phancong.simulation")


class RealDirectivesError(PhancongError):
    code = "real_directives_present"


class SimulationSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    communes: int = 3
    cells: int = 9
    members: int = 11
    months: int = 6
    seed: int = 1


class SimulationReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    simulated_days: int
    wall_seconds: float
    assignments: int
    events: int
    events_by_type: dict[str, int]
    figures: dict[str, int]
    grades: dict[str, int]
    commands_refused: int


async def refuse_real_data(pool: Pool) -> None:
    """A simulation writes real events: never into a database that holds real directives."""
    real = await pool.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'DirectiveIssued' AND NOT (payload ->> 'simulated')::boolean"
    )
    if real:
        raise RealDirectivesError(
            f"this database holds {real} real directive(s); simulate into another database, or pass --force"
        )


class _World:
    """What the simulation knows: the states of its assignments and directive, refreshed from read models."""

    def __init__(self, pool: Pool, directive_id: str) -> None:
        self.pool = pool
        self.directive_id = directive_id
        self.states: dict[str, AssignmentState] = {}
        self.directive: DirectiveState | None = None
        self._seen = 0

    async def refresh(self) -> None:
        rows = await self.pool.fetch(
            "SELECT assignment_id, state, position FROM rm_assignments WHERE directive_id = $1 AND position > $2",
            self.directive_id,
            self._seen,
        )
        for row in rows:
            self.states[row["assignment_id"]] = AssignmentState.model_validate_json(row["state"])
            self._seen = max(self._seen, row["position"])
        state = await self.pool.fetchval("SELECT state FROM rm_directives WHERE directive_id = $1", self.directive_id)
        self.directive = DirectiveState.model_validate_json(state) if state else None


class Simulation:
    def __init__(self, pool: Pool, store: EventStore, settings: SimulationSettings, env: WorkflowEnvironment) -> None:
        self.pool = pool
        self.store = store
        self.settings = settings
        self.env = env
        self.behaviour = Behaviour(settings.seed)
        self.directory = DirectoryRepository(pool)
        self.gate = asyncio.Semaphore(CONCURRENCY)
        self.refused = 0
        self.meeting_days: dict[str, int] = {}

    async def _send(self, assignment_id: str, command: Command) -> None:
        async with self.gate:
            for tries in range(1, 6):
                try:
                    await gateway.send(self.env.client, assignment_id, command)
                except CommandRejectedError:
                    self.refused += 1  # the state moved on meanwhile (e.g. it ended): people see that too
                except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as error:
                    # The server is busy with a crowded day; the update's id makes sending it again safe.
                    if tries == 5:
                        raise
                    log.warning("command interrupted, sending again", error=str(error), tries=tries)
                    continue
                return

    async def run(self) -> SimulationReport:
        started = time.perf_counter()
        s = self.settings
        now = await self.env.get_current_time()
        today = local_date(now)
        suffix = f"{s.seed}-{uuid.uuid4().hex[:6]}"
        directory = generate_directory(s.communes, s.cells, s.members, self.behaviour.rng("directory"))
        self.meeting_days = {c.id: c.meeting_day for c in directory.cells}
        digest = hashlib.sha256(directory.model_dump_json().encode()).hexdigest()
        await apply_directory(
            self.store, PostgresReadModels(self.pool, self.store), directory, digest, "simulated-directory",
            vault=vault_for(self.pool, Settings()), actor=HQ, now=now, remove_missing=False,
        )  # fmt: skip
        spec = simulated_directive(f"SIM-{suffix}", today, s.months, [c.id for c in directory.communes])
        resolved = await resolve(spec, self.directory, "simulation", today, simulated=True)
        task_queue = f"simulate-{suffix}"
        projector = Projector(self.pool, self.store, all_projections())
        world = _World(self.pool, resolved.code)
        async with worker.running(self.env.client, task_queue, self.store, self.pool):
            await self.env.client.start_workflow(
                DirectiveWorkflow.run,
                DirectiveInput(directive=resolved, issued_by=HQ),
                id=ids.directive_workflow_id(resolved.code),
                task_queue=task_queue,
                task_timeout=DIRECTIVE_TASK_TIMEOUT,
            )
            await self._until_issued(projector, world)
            days = (resolved.term_ends_on - today).days + 3
            for offset in range(days):
                day = today + timedelta(days=offset)
                await self._advance_to(day)
                await projector.catch_up()
                await world.refresh()
                await self._live_one_day(world, day, offset, [p.id for p in directory.posts])
                if offset % 30 == 0:
                    log.info(
                        "simulated",
                        day=day.isoformat(),
                        assignments=len(world.states),
                        seconds=round(time.perf_counter() - started, 1),
                    )
            await projector.catch_up()
            await world.refresh()
        return await self._report(world, days, time.perf_counter() - started)

    @staticmethod
    async def _until_issued(projector: Projector, world: _World) -> None:
        """Wait (the simulated clock stands still) until the directive's DirectiveIssued is read back: posts
        nominate on a given day only if they see the directive open, so a slow first append lost nominations."""
        for _ in range(600):
            await projector.catch_up()
            await world.refresh()
            if world.directive is not None:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"directive {world.directive_id} was not issued within a minute")

    async def _advance_to(self, day: date) -> None:
        await advance_clock(self.env, datetime.combine(day, datetime.min.time(), tzinfo=VIETNAM) + timedelta(hours=18))

    async def _live_one_day(self, world: _World, day: date, offset: int, posts: list[str]) -> None:
        work: list[Awaitable[None]] = []
        directive = world.directive
        if directive is not None and directive.open:
            for i, post in enumerate(posts):
                wants_now = offset == self.behaviour.nomination_delay(post, i == 0 and len(posts) > 1)
                replacements = [
                    r for r in directive.replacements.values() if r.post_id == post and r.fulfilled_by is None
                ]
                if wants_now or (replacements and offset % 4 == 0):
                    work.append(self._nominate(world, directive, post))
        for state in list(world.states.values()):
            work += self._assignment_day(state, day)
        await asyncio.gather(*work)

    async def _nominate(self, world: _World, directive: DirectiveState, post: str) -> None:
        busy = {s.member_id for s in world.states.values() if s.stage != Stage.ENDED}
        busy |= {a.member_id for a in directive.assignments.values() if a.live}
        free = [m.id for m in await self.directory.members(post=post) if m.id not in busy]
        cells = list(uncovered_cells(directive, post))
        requests = [NominationRequest(member_id=m, cell_id=c) for m, c in zip(free, cells, strict=False)]
        if not requests:
            return
        command = await nomination(self.directory, Actor(role=Role.POST, id=post), "NQ mô phỏng", requests)
        async with self.gate:
            try:
                await gateway.send_directive(self.env.client, directive.directive.code, command)
            except CommandRejectedError:
                self.refused += 1

    def _assignment_day(self, state: AssignmentState, day: date) -> list[Awaitable[None]]:
        b = self.behaviour
        aid = state.assignment_id
        work: list[Awaitable[None]] = []
        if state.stage == Stage.INTRODUCED:
            delay, accept = b.commune_answer(aid)
            if day == state.nominated_on + timedelta(days=delay):
                commune = Actor(role=Role.COMMUNE, id=state.commune_id)
                command: Command = (
                    AcceptAssignment(actor=commune)
                    if accept
                    else DeclineAssignment(actor=commune, reason="Mô phỏng: chưa tiếp nhận")
                )
                work.append(self._send(aid, command))
            return work
        if not state.in_service or state.joined_on is None:
            return work
        cell = Actor(role=Role.CELL, id=state.serving_cell_id)
        member_day = day.isoformat()
        for meeting in meetings_between(state.joined_on, day, self.meeting_days.get(state.serving_cell_id, 15), 1):
            month = month_key(meeting)
            recorded_after = b.record_delay(state.serving_cell_id, month)
            if month in state.meetings or recorded_after is None or day != meeting + timedelta(days=recorded_after):
                continue
            attendance = b.attendance(state.member_id, month)
            work.append(
                self._send(
                    aid,
                    RecordMeeting(
                        actor=cell,
                        meeting_on=meeting,
                        attendance=attendance,
                        excuse="Công tác đột xuất" if attendance == Attendance.EXCUSED else None,
                        contributions=(Contribution.BORDER_BRIEFING,) if attendance == Attendance.PRESENT else (),
                    ),
                )
            )
        post = Actor(role=Role.POST, id=state.post_id)
        for review in state.reviews.values():
            requested = max(review.ends_on + timedelta(days=1), review.starts_on)
            if review.appraisal is None and day >= requested + timedelta(
                days=b.review_delay("cell", aid, review.period)
            ):
                work.append(
                    self._send(
                        aid, SubmitAppraisal(actor=cell, period=review.period, text="Hoàn thành nhiệm vụ được giao")
                    )
                )
            elif (
                review.appraisal is not None
                and review.grade is None
                and day >= requested + timedelta(days=b.review_delay("post", aid, review.period))
            ):
                work.append(
                    self._send(
                        aid,
                        GradeMember(actor=post, period=review.period, grade=b.grade(state.member_id, review.period)),
                    )
                )
        if state.stage == Stage.ACTIVE:
            member = Actor(role=Role.MEMBER, id=state.member_id)
            for kind, quantity, amount in b.activities(state.member_id, member_day):
                work.append(
                    self._send(
                        aid, LogActivity(actor=member, activity_on=day, kind=kind, quantity=quantity, amount_vnd=amount)
                    )
                )
        return work

    async def _report(self, world: _World, days: int, seconds: float) -> SimulationReport:
        rows = await self.pool.fetch(
            "SELECT event_type, count(*) AS n FROM events WHERE directive_id = $1 GROUP BY 1 ORDER BY 1",
            world.directive_id,
        )
        by_type = {r["event_type"]: r["n"] for r in rows}
        grades = Counter(
            review.grade.value for state in world.states.values() for review in state.reviews.values() if review.grade
        )
        assert world.directive is not None
        return SimulationReport(
            directive_id=world.directive_id,
            simulated_days=days,
            wall_seconds=round(seconds, 1),
            assignments=len(world.states),
            events=sum(by_type.values()),
            events_by_type=by_type,
            figures=figures(with_reports(world.directive, world.states.values())),
            grades=dict(sorted(grades.items())),
            commands_refused=self.refused,
        )
