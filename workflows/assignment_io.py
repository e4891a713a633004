"""What starts an assignment workflow, and what it carries into its next run."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.actors import Actor
from domain.assignment import AssignmentState
from domain.context import AssignmentContext
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind


class Nomination(BaseModel):
    """The post's nomination: who, for which cell (or household group), under which directive."""

    model_config = ConfigDict(frozen=True)

    assignment_id: str
    directive_id: str
    kind: AssignmentKind = AssignmentKind.CELL_PARTICIPATION
    member_id: str
    post_id: str
    commune_id: str
    cell_id: str
    household_group_id: str | None = None
    household_ids: tuple[str, ...] = ()
    on_local_committee: bool = False
    resolution: str = ""
    nominated_on: date
    nominated_by: Actor
    simulated: bool = False


class AssignmentInput(BaseModel):
    """The workflow's one input; ``carried`` is set when a run continues as new."""

    model_config = ConfigDict(frozen=True)

    nomination: Nomination
    context: AssignmentContext
    directive_workflow_id: str | None = Field(None, description="Where to report stage changes, if anywhere.")
    carried: AssignmentState | None = Field(None, description="The state a previous run ended with.")


class ContextAmendment(BaseModel):
    """A directive amendment reaching a running assignment: a new policy, a new end of term."""

    model_config = ConfigDict(frozen=True)

    policy: DirectivePolicy | None = None
    term_ends_on: date | None = None
