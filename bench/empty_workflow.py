"""The raw limit of `make bench-directive`: a workflow that starts and ends (a module of its own, so the
workflow sandbox imports nothing else)."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn(name="EmptyWorkflow")
class EmptyWorkflow:
    @workflow.run
    async def run(self) -> None:
        return None
