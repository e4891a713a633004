"""Sending people's commands to assignment and directive workflows, refusals turned into stable error codes.

The CLI and the API both go through here: one place decides how a command reaches its workflow.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain import ids
from domain.assignment import AssignmentState
from domain.commands import (
    AcceptAssignment,
    Command,
    CommandResult,
    Commend,
    Correct,
    DeclineAssignment,
    EndAssignment,
    GradeMember,
    LogActivity,
    PauseAssignment,
    RecordMeeting,
    ResumeAssignment,
    SubmitAppraisal,
    WithdrawMember,
)
from domain.directive import DirectiveState
from domain.directive_commands import AmendDirective, CloseDirective, Nominate
from domain.errors import InvalidInputError, PhancongError, WrongStateError, rejection
from workflows.assignment import AssignmentWorkflow
from workflows.directive import BUSY, DirectiveWorkflow
from workflows.directive_io import DirectiveCommandResult


class UnknownAssignmentError(PhancongError):
    """No assignment (or directive) of that id."""

    code = "not_found"


UPDATES: dict[type[Command], Any] = {
    AcceptAssignment: AssignmentWorkflow.accept,
    DeclineAssignment: AssignmentWorkflow.decline,
    RecordMeeting: AssignmentWorkflow.record_meeting,
    LogActivity: AssignmentWorkflow.log_activity,
    SubmitAppraisal: AssignmentWorkflow.submit_appraisal,
    GradeMember: AssignmentWorkflow.grade,
    Commend: AssignmentWorkflow.commend,
    Correct: AssignmentWorkflow.correct,
    PauseAssignment: AssignmentWorkflow.pause,
    ResumeAssignment: AssignmentWorkflow.resume,
    WithdrawMember: AssignmentWorkflow.withdraw,
    EndAssignment: AssignmentWorkflow.end,
}


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
    return await _execute(
        client, workflow_id, f"assignment {assignment_id}", UPDATES[type(command)], command, result=CommandResult
    )


async def send_directive(client: Client, directive_id: str, command: Command) -> DirectiveCommandResult:
    """Deliver a nomination, amendment or close to a directive."""
    update = {
        Nominate: DirectiveWorkflow.nominate,
        AmendDirective: DirectiveWorkflow.amend,
        CloseDirective: DirectiveWorkflow.close,
    }[type(command)]
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
