"""Sending people's commands to assignment and directive workflows, refusals turned into stable error codes.

The interfaces reach it through the application layer; the directive's activities use it to end assignments.

The Temporal adapters of ``app.ports.Assignments`` and ``app.ports.Directives``: every interface goes through
here, so one place decides how a command reaches its workflow.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from app.ports import EventLog
from domain import ids
from domain.actors import Actor
from domain.assignment import AssignmentState, stream_of
from domain.commands import Command, CommandResult
from domain.decisions import KIND_OF
from domain.directive import DirectiveState, ResolvedDirective
from domain.directive_commands import DIRECTIVE_UPDATES
from domain.errors import InvalidInputError, PhancongError, WrongStateError, rejection
from domain.events.directive import DirectiveIssued
from workflows.assignment import AssignmentWorkflow
from workflows.directive import BUSY, DirectiveWorkflow
from workflows.directive import TASK_TIMEOUT as DIRECTIVE_TASK_TIMEOUT
from workflows.directive_io import DirectiveCommandResult, DirectiveInput


class UnknownAssignmentError(PhancongError):
    """No assignment (or directive) of that id."""

    code = "not_found"


R = TypeVar("R")


# Answers that mean "not now", never "no": the workflow already has as many Updates in flight as the server
# allows (10 by default: hundreds of posts nominating into one directive at once), an Update was aborted
# because its workflow continued as new, or the directive refused it (BUSY) because it is about to. The
# Update id is the command's, so sending again is safe.
_BUSY = (RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE)
_BUSY_ATTEMPTS = 16  # about a minute and a half of backoff in all


# A refusal's type is one of phancong's stable codes (snake case); anything else is the SDK's or a bug's.
_CODE = re.compile(r"[a-z][a-z_]*")


def _transient(error: RPCError) -> bool:
    # FAILED_PRECONDITION "workflow not ready": the workflow's task failed or timed out and is being retried.
    not_ready = error.status == RPCStatusCode.FAILED_PRECONDITION and "workflow task" in error.message
    return error.status in _BUSY or not_ready


async def _backoff(attempt: int) -> None:
    await asyncio.sleep(min(8.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))  # noqa: S311 - jitter


async def _execute(client: Client, workflow_id: str, what: str, update: Any, command: Command, *, result: type[R]) -> R:
    """Run one Update; refusals become CommandRejectedError, a missing or closed workflow a coded error; a busy
    workflow is asked again with backoff."""
    handle = client.get_workflow_handle(workflow_id)
    for attempt in itertools.count(1):
        try:
            answer: R = await handle.execute_update(update, command, id=str(command.command_id), result_type=result)
            return answer
        except WorkflowUpdateFailedError as failed:
            cause = failed.cause
            if isinstance(cause, ApplicationError) and cause.type == BUSY and attempt < _BUSY_ATTEMPTS:
                await _backoff(attempt)
                continue
            if isinstance(cause, ApplicationError) and cause.type and _CODE.fullmatch(cause.type):
                raise rejection(cause.type, cause.message) from None
            if isinstance(cause, ApplicationError) and cause.message == "Failed decoding arguments":
                # The workflow's own models refused the command (a client that skipped the boundary's checks).
                raise InvalidInputError(f"{what} refused the command: it does not fit the command's model") from None
            raise
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            # The call ended before the Update did (a nomination waits for its assignments to start): asking
            # again with the same id waits for the same Update, it does not run it twice.
            if attempt >= _BUSY_ATTEMPTS:
                raise
            continue
        except RPCError as error:
            if _transient(error) and attempt < _BUSY_ATTEMPTS:
                await _backoff(attempt)
                continue
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            await _closed_or_unknown(client, workflow_id, what)
            raise
    raise AssertionError("unreachable")


async def send(client: Client, assignment_id: str, command: Command) -> CommandResult:
    """Deliver ``command`` to an assignment; its id is the Update id, so resending it is answered, not redone.

    Raises CommandRejectedError (the validator's code), UnknownAssignmentError, or WrongStateError when the
    assignment has already ended.
    """
    workflow_id = ids.assignment_workflow_id(assignment_id)
    update = KIND_OF[type(command)].name  # the assignment workflow's Update of that command
    return await _execute(client, workflow_id, f"assignment {assignment_id}", update, command, result=CommandResult)


async def send_directive(client: Client, directive_id: str, command: Command) -> DirectiveCommandResult:
    """Deliver a nomination, amendment or close to a directive."""
    update = DIRECTIVE_UPDATES[type(command)]
    workflow_id = ids.directive_workflow_id(directive_id)
    return await _execute(
        client, workflow_id, f"directive {directive_id}", update, command, result=DirectiveCommandResult
    )


async def _closed_or_unknown(client: Client, workflow_id: str, what: str) -> None:
    handle = client.get_workflow_handle(workflow_id)
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownAssignmentError(f"no {what}") from None
        raise
    if description.status != WorkflowExecutionStatus.RUNNING:
        raise WrongStateError(f"{what} has ended; it takes no more commands")


async def directive_state(client: Client, directive_id: str) -> DirectiveState | None:
    """The directive's own state (None while it is being issued)."""
    handle = client.get_workflow_handle(ids.directive_workflow_id(directive_id), result_type=DirectiveState)
    try:
        return await handle.query(DirectiveWorkflow.current)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownAssignmentError(f"no directive {directive_id!r}") from None
        raise


async def current_state(client: Client, assignment_id: str) -> AssignmentState | None:
    """The running assignment's own state (None before its first event)."""
    handle = client.get_workflow_handle(ids.assignment_workflow_id(assignment_id), result_type=AssignmentState)
    try:
        return await handle.query(AssignmentWorkflow.current)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownAssignmentError(f"no assignment {assignment_id!r}") from None
        raise


class AlreadyIssuedError(PhancongError):
    code = "already_issued"


class NotRecordedError(PhancongError):
    code = "not_recorded"


# How long `directive issue` waits for the directive's first event to be stored before it says it was not.
RECORD_WAIT_SECONDS = 60.0


async def _issued(store: EventLog, client: Client, code: str, wait: float) -> DirectiveIssued | None:
    """The directive's DirectiveIssued once it is stored; None if its workflow ended without storing it, or
    ``wait`` seconds passed. A workflow that failed makes its failure the caller's refusal."""
    handle = client.get_workflow_handle(ids.directive_workflow_id(code))
    deadline = asyncio.get_running_loop().time() + wait
    checks = 0
    while asyncio.get_running_loop().time() < deadline:
        events = await store.read_stream(f"directive-{code}", to_version=1)
        if events and isinstance(events[0].payload, DirectiveIssued):
            return events[0].payload
        checks += 1
        if checks % 10 == 0 and (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            try:
                await handle.result()
            except WorkflowFailureError as failed:
                cause = failed.cause
                if isinstance(cause, ApplicationError) and cause.type:
                    raise PhancongError(cause.message, code=cause.type) from None
            return None
        await asyncio.sleep(0.1)
    return None


async def issue_directive(
    client: Client,
    store: EventLog,
    task_queue: str,
    resolved: ResolvedDirective,
    actor: Actor,
    *,
    wait: float = RECORD_WAIT_SECONDS,
) -> str:
    """Start the directive's workflow and return once its DirectiveIssued is stored ("issued"); the same
    directive again is recognised ("already_issued"); one issued with other content is refused."""
    try:
        await client.start_workflow(
            DirectiveWorkflow.run,
            DirectiveInput(directive=resolved, issued_by=actor),
            id=ids.directive_workflow_id(resolved.code),
            task_queue=task_queue,
            task_timeout=DIRECTIVE_TASK_TIMEOUT,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        earlier = await _issued(store, client, resolved.code, wait)
        if earlier is None or earlier.content_hash != resolved.content_hash():
            raise AlreadyIssuedError(
                f"directive {resolved.code} was already issued with different content: "
                "use `phancong directive amend` to change it"
            ) from None
        return "already_issued"
    if await _issued(store, client, resolved.code, wait) is None:
        raise NotRecordedError(
            f"directive {resolved.code} was started but not recorded within {wait:.0f} s: "
            "is a worker running (`phancong worker`, or `make run`)?"
        )
    return "issued"


class Connection:
    """One Temporal client for a command or a request, connected when first needed (a read never connects)."""

    def __init__(self, connect: Callable[[], Awaitable[Client]]) -> None:
        self._connect = connect
        self._client: Client | None = None

    async def client(self) -> Client:
        if self._client is None:
            self._client = await self._connect()
        return self._client


class TemporalAssignments:
    """``app.ports.Assignments``: each assignment is an AssignmentWorkflow; a command is its Update."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def send(self, assignment_id: str, command: Command) -> CommandResult:
        return await send(await self._connection.client(), assignment_id, command)

    async def state(self, assignment_id: str) -> AssignmentState | None:
        return await current_state(await self._connection.client(), assignment_id)


class TemporalDirectives:
    """``app.ports.Directives``: each directive is a DirectiveWorkflow on ``task_queue``; its first events and
    its assignments' introductions are read back from the store."""

    def __init__(self, connection: Connection, store: EventLog, task_queue: str) -> None:
        self._connection = connection
        self._store = store
        self._task_queue = task_queue

    async def issue(self, resolved: ResolvedDirective, actor: Actor) -> str:
        return await issue_directive(await self._connection.client(), self._store, self._task_queue, resolved, actor)

    async def send(self, code: str, command: Command) -> DirectiveCommandResult:
        return await send_directive(await self._connection.client(), code, command)

    async def state(self, code: str) -> DirectiveState | None:
        try:
            return await directive_state(await self._connection.client(), code)
        except PhancongError:
            return None  # closed, or never issued: the read models answer then

    async def introduced(self, assignment_ids: Sequence[str], wait: float = 30.0) -> set[str]:
        """The assignments whose introduction letter is recorded, waiting up to ``wait`` seconds for all of them
        (each assignment introduces itself right after it starts)."""
        deadline = asyncio.get_running_loop().time() + wait
        done: set[str] = set()
        while True:
            for assignment_id in set(assignment_ids) - done:
                if await self._store.stream_version(stream_of(assignment_id)) >= 2:  # nominated, introduced
                    done.add(assignment_id)
            if done >= set(assignment_ids) or asyncio.get_running_loop().time() > deadline:
                return done
            await asyncio.sleep(0.05)
