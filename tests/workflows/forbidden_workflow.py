"""A workflow that tries to open a file, imported the way phancong's workflows are."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn
class OpensAFile:
    @workflow.run
    async def run(self) -> str:
        try:
            with open(__file__) as source:  # noqa: ASYNC230 - the point: a workflow may not
                return f"read {len(source.read())} characters"
        except workflow.NondeterminismError:
            return "refused"
