"""Determinism: histories saved from real runs replay with the current code; an unguarded change does not."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from phancong.converter import DATA_CONVERTER
from tests.workflows.changed_workflow import TimerFirstAssignmentWorkflow
from worker import WORKFLOW_RUNNER
from workflows import alarm
from workflows.assignment import AssignmentWorkflow
from workflows.delivery import DeliveryWorkflow, LegacyDeliveryWorkflow
from workflows.directive import DirectiveWorkflow

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("*-run*.json"))
WORKFLOWS: dict[str, type] = {  # by workflow type: runs of each type that is or was started
    "AssignmentWorkflow": AssignmentWorkflow,
    "DirectiveWorkflow": DirectiveWorkflow,
    "DeliveryWorkflowV2": DeliveryWorkflow,
    "DeliveryWorkflow": LegacyDeliveryWorkflow,
}


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())


def workflow_type(path: Path) -> str:
    started = json.loads(path.read_text())["events"][0]["workflowExecutionStartedEventAttributes"]
    name: str = started["workflowType"]["name"]
    return name


def test_the_saved_histories_cover_every_kind_of_run() -> None:
    names = {p.stem.rsplit("-run", 1)[0] for p in HISTORIES}
    assert {"assignment-twelve-months", "assignment-declined", "assignment-replaced"} <= names
    assert {workflow_type(p) for p in HISTORIES} == set(WORKFLOWS)
    last_events = [json.loads(p.read_text())["events"][-1] for p in HISTORIES]
    assert any("workflowExecutionContinuedAsNewEventAttributes" in e for e in last_events)
    assert any("workflowExecutionCompletedEventAttributes" in e for e in last_events)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_a_saved_history_replays_with_the_current_code(path: Path) -> None:
    workflow_class = WORKFLOWS[workflow_type(path)]
    replayer = Replayer(workflows=[workflow_class], data_converter=DATA_CONVERTER, workflow_runner=WORKFLOW_RUNNER)
    await replayer.replay_workflow(load(path))


async def test_an_unguarded_change_to_the_workflow_fails_replay() -> None:
    replayer = Replayer(
        workflows=[TimerFirstAssignmentWorkflow], data_converter=DATA_CONVERTER, workflow_runner=WORKFLOW_RUNNER
    )
    first_run = next(p for p in HISTORIES if p.stem == "assignment-twelve-months-run1")

    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(load(first_run))


def _patches(history: dict[str, Any]) -> set[str]:
    """The patch ids a history's ``core_patch`` markers record."""
    return {
        json.loads(base64.b64decode(payload["data"]))["id"]
        for event in history["events"]
        if event.get("markerRecordedEventAttributes", {}).get("markerName") == "core_patch"
        for payload in event["markerRecordedEventAttributes"]["details"]["patch-data"]["payloads"]
    }


def test_runs_recorded_before_a_patch_are_kept_for_its_old_branch() -> None:
    """Histories from before the alarm cancelled their timers; runs since never do, behind the patch marker."""
    sleepers = [p for p in HISTORIES if p.stem.split("-", 1)[0] in ("assignment", "directive")]
    before = [json.loads(p.read_text()) for p in sleepers if "-before-alarm-" in p.stem]
    since = [json.loads(p.read_text()) for p in sleepers if "-before-alarm-" not in p.stem]

    def cancels(history: dict[str, Any]) -> bool:
        return any("timerCanceledEventAttributes" in e for e in history["events"])

    def sleeps(history: dict[str, Any]) -> bool:
        return any("timerStartedEventAttributes" in e for e in history["events"])

    assert before
    assert since
    assert any(cancels(h) for h in before)
    assert not any(alarm.PATCH in _patches(h) for h in before)
    assert all(alarm.PATCH in _patches(h) for h in since if sleeps(h))
    assert not any(cancels(h) for h in since)
