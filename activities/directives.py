"""What a directive does to its assignments: start them, end them, amend them (through Temporal)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

import gateway
from domain import ids
from domain.commands import EndAssignment
from domain.errors import CommandRejectedError
from gateway import UnknownAssignmentError
from workflows.assignment import AssignmentWorkflow
from workflows.assignment_io import AssignmentInput
from workflows.calls import DirectiveCalls
from workflows.directive_io import AmendAssignmentsInput, EndAssignmentsInput, StartAssignmentsInput

T = TypeVar("T")
CONCURRENCY = 16


async def _each(items: Sequence[T], work: Callable[[T], Awaitable[bool]]) -> int:
    """Run ``work`` over ``items``, 16 at a time, heartbeating; how many did something."""
    gate = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(item: T) -> bool:
        nonlocal done
        async with gate:
            result = await work(item)
            done += 1
            if done % 50 == 0:
                activity.heartbeat(done)
            return result

    results = await asyncio.gather(*(one(item) for item in items))
    return sum(results)


class DirectiveActivities(DirectiveCalls):
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="start_assignments")
    async def start_assignments(self, request: StartAssignmentsInput) -> int:
        """Start each assignment's workflow; one already started (a retry) is left as it is."""

        async def start(assignment: AssignmentInput) -> bool:
            workflow_id = ids.assignment_workflow_id(assignment.nomination.assignment_id)
            try:
                await self._client.start_workflow(
                    AssignmentWorkflow.run,
                    assignment,
                    id=workflow_id,
                    task_queue=request.task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                )
            except WorkflowAlreadyStartedError:
                return False  # started, and since finished: never two runs of one assignment
            return True

        return await _each(request.requests, start)

    @activity.defn(name="end_assignments")
    async def end_assignments(self, request: EndAssignmentsInput) -> int:
        """End each assignment still running; the command id makes a retried end the same command."""

        async def end(assignment_id: str) -> bool:
            command = EndAssignment(
                actor=request.actor,
                reason=request.reason,
                note=request.note,
                command_id=uuid.uuid5(ids.PHANCONG_NAMESPACE, f"end/{request.directive_id}/{assignment_id}"),
            )
            try:
                await gateway.send(self._client, assignment_id, command)
            except (CommandRejectedError, UnknownAssignmentError):
                return False  # it ended on its own first (or is ending: a refusal is never worth a retry)
            return True

        return await _each(request.assignment_ids, end)

    @activity.defn(name="amend_assignments")
    async def amend_assignments(self, request: AmendAssignmentsInput) -> int:
        async def amend(assignment_id: str) -> bool:
            handle = self._client.get_workflow_handle(ids.assignment_workflow_id(assignment_id))
            try:
                await handle.signal(AssignmentWorkflow.amend_context, request.amendment)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return False  # ended meanwhile
                raise
            return True

        return await _each(request.assignment_ids, amend)
