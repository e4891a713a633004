"""What starts a directive workflow, and the inputs of the activities it uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.actors import Actor
from domain.commands import Command
from domain.directive import DirectiveState, ResolvedDirective
from domain.vocabulary import EndReason
from workflows.assignment_io import AssignmentInput, ContextAmendment


class DirectiveInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive: ResolvedDirective
    issued_by: Actor
    carried: DirectiveState | None = Field(None, description="The state a previous run ended with.")


class StartAssignmentsInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    task_queue: str
    requests: list[AssignmentInput]


class EndAssignmentsInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    assignment_ids: list[str]
    reason: EndReason
    note: str = ""
    actor: Actor


class AmendAssignmentsInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    assignment_ids: list[str]
    amendment: ContextAmendment


class DirectiveCommandResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive_id: str
    version: int
    events: tuple[str, ...]
    assignment_ids: tuple[str, ...] = ()


__all__ = [
    "AmendAssignmentsInput",
    "Command",
    "DirectiveCommandResult",
    "DirectiveInput",
    "EndAssignmentsInput",
    "StartAssignmentsInput",
]
