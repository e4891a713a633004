"""What people ask of an assignment: one model per command, each carrying who asks (the actor)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain.vocabulary import ActivityKind, Attendance, Contribution, EndReason, Grade
from events.envelope import Actor


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Actor
    # Recorded as the events' causation; resending a command with the same id is not a second command.
    command_id: UUID = Field(default_factory=uuid4)


class AcceptAssignment(Command):
    cell_id: str | None = Field(None, description="Place in this cell of the commune (default: the one asked).")
    join_on: date | None = Field(
        None, description="The day the member takes part from, from its start (default: today)."
    )
    note: str = ""


class DeclineAssignment(Command):
    reason: str


class RecordMeeting(Command):
    meeting_on: date
    attendance: Attendance
    excuse: str | None = None
    contributions: tuple[Contribution, ...] = ()
    note: str = ""


class LogActivity(Command):
    activity_on: date
    kind: ActivityKind
    quantity: int = Field(1, ge=0)
    amount_vnd: int = Field(0, ge=0)
    in_kind: str = ""
    household_ids: tuple[str, ...] = ()
    note: str = ""


class SubmitAppraisal(Command):
    period: str
    text: str


class GradeMember(Command):
    period: str
    grade: Grade
    note: str = ""


class Commend(Command):
    reason: str


class Correct(Command):
    reason: str


class PauseAssignment(Command):
    reason: str
    until: date | None = None


class ResumeAssignment(Command):
    pass


class WithdrawMember(Command):
    reason: EndReason
    note: str = ""


class EndAssignment(Command):
    """The directive ends an assignment (term completed, cell merged, …)."""

    reason: EndReason
    note: str = ""


class CommandResult(BaseModel):
    """What an accepted command changed: the stream's new version and the assignment's stage."""

    model_config = ConfigDict(frozen=True)

    assignment_id: str
    version: int
    stage: str
    events: tuple[str, ...]
