"""Determinism: histories saved from real runs replay with the current code; an unguarded change does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from phancong.converter import DATA_CONVERTER
from tests.workflows.changed_workflow import TimerFirstAssignmentWorkflow
from workflows.assignment import AssignmentWorkflow
from workflows.delivery import DeliveryWorkflow
from workflows.directive import DirectiveWorkflow

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("*-run*.json"))
WORKFLOWS: dict[str, type] = {
    "assignment": AssignmentWorkflow,
    "directive": DirectiveWorkflow,
    "delivery": DeliveryWorkflow,
}


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())


def test_the_saved_histories_cover_every_kind_of_run() -> None:
    names = {p.stem.rsplit("-run", 1)[0] for p in HISTORIES}
    assert {"assignment-twelve-months", "assignment-declined", "assignment-replaced"} <= names
    assert {name.split("-", 1)[0] for name in names} == set(WORKFLOWS)
    last_events = [json.loads(p.read_text())["events"][-1] for p in HISTORIES]
    assert any("workflowExecutionContinuedAsNewEventAttributes" in e for e in last_events)
    assert any("workflowExecutionCompletedEventAttributes" in e for e in last_events)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_a_saved_history_replays_with_the_current_code(path: Path) -> None:
    workflow_class = WORKFLOWS[path.stem.split("-", 1)[0]]
    replayer = Replayer(workflows=[workflow_class], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(load(path))


async def test_an_unguarded_change_to_the_workflow_fails_replay() -> None:
    replayer = Replayer(workflows=[TimerFirstAssignmentWorkflow], data_converter=DATA_CONVERTER)
    first_run = next(p for p in HISTORIES if p.stem == "assignment-twelve-months-run1")

    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(load(first_run))
