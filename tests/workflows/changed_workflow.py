"""AssignmentWorkflow with one unguarded change, for the replay test that must fail.

A module of its own: the sandbox re-imports a workflow's module, so it imports nothing but Temporal and,
passed through, the workflow it changes.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.assignment import AssignmentState
    from workflows.assignment import AssignmentWorkflow
    from workflows.assignment_io import AssignmentInput


@workflow.defn(name="AssignmentWorkflow")
class TimerFirstAssignmentWorkflow(AssignmentWorkflow):
    """A timer before the nomination: the saved histories start with an activity instead."""

    @workflow.run
    async def run(self, request: AssignmentInput) -> AssignmentState:
        await workflow.sleep(timedelta(minutes=1))
        return await super().run(request)
