"""The application's ports in memory, for the use cases' unit tests: the in-memory event store and directory
(real adapters), and assignments whose decisions run as their workflow runs them, on a fixed clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.directory import apply_directory
from app.services import Services
from directory.memory import MemoryDirectory, MemoryKeyStore
from directory.model import DirectoryFile
from directory.sealing import Vault
from domain import ids
from domain.actors import SYSTEM, Actor, Role
from domain.assignment import AssignmentState, fold, stream_of
from domain.calendar import local_date
from domain.commands import Command, CommandResult
from domain.context import AssignmentContext, CellRef
from domain.decisions import decide
from domain.directive import DirectiveState, ResolvedDirective
from domain.errors import NotFoundError, WrongStateError
from domain.event import DomainEvent
from domain.events.assignment import IntroductionSent, MemberNominated
from domain.schedule import due_events
from domain.vocabulary import AssignmentKind, Stage
from events.catalog import REGISTRY
from events.envelope import NewEvent
from events.memory import MemoryEventStore
from infra.master_keys import generated

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class ManualClock:
    """A clock the test moves."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant


@dataclass
class MemoryAssignments:
    """Each assignment's stream in the log; a command is decided, appended and folded as the workflow does it, and
    what it makes due happens with it."""

    log: MemoryEventStore
    clock: ManualClock
    contexts: dict[str, AssignmentContext] = field(default_factory=dict)

    async def start(
        self, assignment_id: str, *, member: str, post: str, commune: str, cell: str, context: AssignmentContext
    ) -> None:
        directive = assignment_id.split(":", maxsplit=1)[0]
        today = local_date(self.clock.now())
        nominated = MemberNominated(
            assignment_id=assignment_id, directive_id=directive, kind=AssignmentKind.CELL_PARTICIPATION,
            member_id=member, post_id=post, commune_id=commune, cell_id=cell, nominated_on=today,
        )  # fmt: skip
        introduced = IntroductionSent(
            commune_id=commune,
            sent_on=today,
            response_due_on=today + timedelta(days=context.policy.commune_response_days),
        )
        self.contexts[assignment_id] = context
        await self._append(assignment_id, None, [nominated], Actor(role=Role.POST, id=post), "nomination")
        await self._append(assignment_id, await self.state(assignment_id), [introduced], SYSTEM, "nomination")

    async def _append(
        self, assignment_id: str, state: AssignmentState | None, payloads: Sequence[DomainEvent], actor: Actor, why: str
    ) -> None:
        stream = stream_of(assignment_id)
        version = state.version if state else 0
        events: list[NewEvent[DomainEvent]] = [
            NewEvent(
                event_id=ids.event_id(stream, version + i),
                payload=p,
                occurred_at=self.clock.now(),
                actor=actor,
                directive_id=assignment_id.split(":", maxsplit=1)[0],
                causation_id=why,
            )
            for i, p in enumerate(payloads, start=1)
        ]
        await self.log.append(stream, version, events)

    async def send(self, assignment_id: str, command: Command) -> CommandResult:
        state = await self.state(assignment_id)
        if state is None:
            raise NotFoundError(f"no assignment {assignment_id}")
        if state.stage == Stage.ENDED:
            raise WrongStateError(f"assignment {assignment_id} has ended; it takes no more commands")
        ctx = self.contexts[assignment_id]
        events = decide(state, ctx, command, local_date(self.clock.now()))
        await self._append(assignment_id, state, events, command.actor, f"command:{command.command_id}")
        after = await self.state(assignment_id)
        assert after is not None
        due, _ = due_events(after, ctx, self.clock.now())
        if due:
            await self._append(assignment_id, after, due, SYSTEM, "schedule")
            after = await self.state(assignment_id)
            assert after is not None
        return CommandResult(
            assignment_id=assignment_id,
            version=after.version,
            stage=after.stage.value,
            events=tuple(e.type for e in events),
        )

    async def state(self, assignment_id: str) -> AssignmentState | None:
        return fold(e.payload for e in await self.log.read_stream(stream_of(assignment_id)))

    async def tick(self, assignment_id: str) -> None:
        """What falls due by the clock's now happens (the workflow's timers)."""
        state = await self.state(assignment_id)
        assert state is not None
        due, _ = due_events(state, self.contexts[assignment_id], self.clock.now())
        if due:
            await self._append(assignment_id, state, due, SYSTEM, "schedule")


class NoDirectives:
    """Directive commands are not part of these unit tests: their refusals are the directive rules' own."""

    async def issue(self, resolved: ResolvedDirective, actor: Actor) -> str:
        raise AssertionError("not in these tests")

    async def send(self, code: str, command: Command) -> Any:
        raise AssertionError("not in these tests")

    async def state(self, code: str) -> DirectiveState | None:
        return None

    async def introduced(self, assignment_ids: Sequence[str]) -> set[str]:
        return set(assignment_ids)


class MemoryReadModels:
    """What the queries read, folded from the log at each call (the read models' catch-up is a no-op)."""

    def __init__(self, log: MemoryEventStore) -> None:
        self._log = log

    async def catch_up(self) -> None:
        return None

    async def _assignments(self) -> list[AssignmentState]:
        streams = sorted(
            {e.stream_id for e in await self._log.read_all(0, 10**6) if e.stream_id.startswith("assignment-")}
        )
        states = [fold(e.payload for e in await self._log.read_stream(s)) for s in streams]
        return [s for s in states if s is not None]

    async def assignment_units(self, assignment_id: str) -> dict[str, set[str]] | None:
        state = fold(e.payload for e in await self._log.read_stream(stream_of(assignment_id)))
        if state is None:
            return None
        return {
            "post": {state.post_id},
            "commune": {state.commune_id},
            "cell": {state.cell_id, state.serving_cell_id},
            "member": {state.member_id},
        }

    async def member_communes(self, member_id: str) -> set[str]:
        return {a.commune_id for a in await self._assignments() if a.member_id == member_id}

    async def directive_posts(self, code: str) -> set[str] | None:
        return None

    async def sponsored_households(self, post_id: str) -> set[str]:
        return {h for a in await self._assignments() if a.post_id == post_id for h in a.household_ids}


async def memory_services(now: datetime) -> tuple[Services, MemoryAssignments]:
    """The example province's directory in an in-memory log, and the ports over it, on a clock fixed at ``now``."""
    log = MemoryEventStore(REGISTRY)
    clock = ManualClock(now)
    read = MemoryReadModels(log)
    directory = DirectoryFile.model_validate(yaml.safe_load((EXAMPLES / "directory.yaml").read_text("utf-8")))
    vault = Vault(MemoryKeyStore(), generated())
    await apply_directory(
        log,
        read,  # type: ignore[arg-type]
        directory,
        "0" * 64,
        "directory.yaml",
        vault=vault,
        actor=Actor(role=Role.HQ),
        now=now,
    )
    assignments = MemoryAssignments(log, clock)
    services = Services(
        log=log,
        directory=MemoryDirectory(log, vault),
        read=read,  # type: ignore[arg-type]  # the queries these tests use
        assignments=assignments,
        directives=NoDirectives(),
        clock=clock,
        vault=vault,
    )
    return services, assignments


def context_of(cells: Sequence[CellRef], start: datetime) -> AssignmentContext:
    today = local_date(start)
    return AssignmentContext(term_starts_on=today, term_ends_on=today + timedelta(days=700), commune_cells=tuple(cells))
