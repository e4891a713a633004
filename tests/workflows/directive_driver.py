"""Drives a DirectiveWorkflow on the time-skipping server: a real directory, real nominations."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import gateway
from app.directives import NominationRequest, nomination, resolve
from directives.resolve import load_directive
from directory.repository import DirectoryRepository
from domain import ids
from domain.actors import Actor, Role
from domain.calendar import add_months
from domain.directive import DirectiveState, ResolvedDirective
from domain.directive_commands import AmendDirective, CloseDirective
from domain.errors import PhancongError
from domain.policy import DirectivePolicy
from events import RecordedEvent
from phancong.composition import import_directory
from tests.workflows.driver import Harness
from workflows.directive import TASK_TIMEOUT as DIRECTIVE_TASK_TIMEOUT
from workflows.directive import DirectiveWorkflow
from workflows.directive_io import DirectiveCommandResult, DirectiveInput

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
HQ = Actor(role=Role.HQ)
HAM_LUONG = Actor(role=Role.POST, id="DBP-HAM-LUONG")
BA_TRI = Actor(role=Role.POST, id="DBP-BA-TRI")


async def refusal(command: Awaitable[object]) -> str:
    """The code a refused command comes back with."""
    try:
        await command
    except PhancongError as refused:
        return refused.code
    raise AssertionError("the command was accepted")


async def load_example_directory(harness: Harness) -> DirectoryRepository:
    await import_directory(harness.pool, harness.store, EXAMPLES / "directory.yaml", HQ, await harness.now())
    return DirectoryRepository(harness.pool)


@dataclass
class Directive:
    harness: Harness
    directory: DirectoryRepository
    resolved: ResolvedDirective

    @property
    def code(self) -> str:
        return self.resolved.code

    async def nominate(self, actor: Actor, *requests: NominationRequest) -> DirectiveCommandResult:
        command = await nomination(self.directory, actor, "15-NQ/ĐU", list(requests))
        return await gateway.send_directive(self.harness.env.client, self.code, command)

    async def refused(self, actor: Actor, *requests: NominationRequest) -> str:
        return await refusal(self.nominate(actor, *requests))

    async def amend(self, command: AmendDirective) -> DirectiveCommandResult:
        return await gateway.send_directive(self.harness.env.client, self.code, command)

    async def close(self, reason: str) -> DirectiveCommandResult:
        return await gateway.send_directive(self.harness.env.client, self.code, CloseDirective(actor=HQ, reason=reason))

    async def state(self) -> DirectiveState:
        state = await gateway.directive_state(self.harness.env.client, self.code)
        assert state is not None
        return state

    async def events(self) -> list[RecordedEvent]:
        return await self.harness.store.read_stream(f"directive-{self.code}")

    async def types(self) -> list[str]:
        return [e.event_type for e in await self.events()]


async def issue(
    harness: Harness,
    directory: DirectoryRepository,
    file: str = "directive-cells.yaml",
    *,
    months: int = 24,
    policy: DirectivePolicy | None = None,
) -> Directive:
    """Issue an example directive, its term starting today (the server's today) and its code made unique."""
    today: date = await harness.today()
    spec = load_directive(EXAMPLES / file)
    resolved = await resolve(spec, directory, file, today)
    suffix = ids.PHANCONG_NAMESPACE.hex[:4] + str(len(harness.started))
    resolved = resolved.model_copy(
        update={
            "code": f"{resolved.code}-{suffix}-{today:%Y%m%d}",
            "issued_on": today,
            "term_starts_on": today,
            "term_ends_on": add_months(today, months) - timedelta(days=1),
            "policy": policy or resolved.policy,
        }
    )
    handle = await harness.env.client.start_workflow(
        DirectiveWorkflow.run,
        DirectiveInput(directive=resolved, issued_by=HQ),
        id=ids.directive_workflow_id(resolved.code),
        task_queue=harness.task_queue,
        task_timeout=DIRECTIVE_TASK_TIMEOUT,
    )
    harness.started.append(handle)
    directive = Directive(harness, directory, resolved)
    for _ in range(200):
        state = await gateway.directive_state(harness.env.client, resolved.code)
        if state is not None and "NominationRequested" in await directive.types():
            return directive
        await harness.env.sleep(timedelta(milliseconds=20))
    raise AssertionError("the directive did not start")
