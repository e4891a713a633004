"""Sending people's commands to assignment workflows, with refusals turned into stable error codes."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

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
from domain.errors import CommandRejectedError, WrongStateError
from phancong.errors import PhancongError
from workflows import ids
from workflows.assignment import AssignmentWorkflow


class UnknownAssignmentError(PhancongError):
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


async def send(client: Client, assignment_id: str, command: Command) -> CommandResult:
    """Deliver ``command``; its id is the Update id, so resending the same command is answered, not redone.

    Raises CommandRejectedError (the validator's code), UnknownAssignmentError, or WrongStateError when the
    assignment has already ended.
    """
    handle = client.get_workflow_handle_for(AssignmentWorkflow.run, ids.assignment_workflow_id(assignment_id))
    try:
        result: CommandResult = await handle.execute_update(UPDATES[type(command)], command, id=str(command.command_id))
        return result
    except WorkflowUpdateFailedError as failed:
        cause = failed.cause
        if isinstance(cause, ApplicationError) and cause.type:
            raise CommandRejectedError(cause.message, code=cause.type) from None
        raise
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        await _closed_or_unknown(client, assignment_id)
        raise


async def _closed_or_unknown(client: Client, assignment_id: str) -> None:
    handle = client.get_workflow_handle(ids.assignment_workflow_id(assignment_id))
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownAssignmentError(f"no assignment {assignment_id!r}") from None
        raise
    if description.status != WorkflowExecutionStatus.RUNNING:
        raise WrongStateError(f"assignment {assignment_id} has ended; it takes no more commands")


async def current_state(client: Client, assignment_id: str) -> AssignmentState | None:
    """The running assignment's own state (None before its first event)."""
    handle = client.get_workflow_handle_for(AssignmentWorkflow.run, ids.assignment_workflow_id(assignment_id))
    try:
        return await handle.query(AssignmentWorkflow.current)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise UnknownAssignmentError(f"no assignment {assignment_id!r}") from None
        raise
