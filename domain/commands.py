"""What people ask of an assignment: one model per command, each carrying who asks (the actor)."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain.actors import Actor
from domain.bounds import MAX_HOUSEHOLDS, BusinessDate, EntryId, Line, PeriodLabel, Quantity, RequiredText, Text, Vnd
from domain.vocabulary import ActivityKind, Attendance, Contribution, EndReason, Grade


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Actor
    # Recorded as the events' causation; resending a command with the same id is not a second command.
    command_id: UUID = Field(default_factory=uuid4)


class AcceptAssignment(Command):
    cell_id: EntryId | None = Field(None, description="Place in this cell of the commune (default: the one asked).")
    join_on: BusinessDate | None = Field(
        None, description="The day the member takes part from, from its start (default: today)."
    )
    note: Text = ""


class DeclineAssignment(Command):
    reason: RequiredText


class RecordMeeting(Command):
    meeting_on: BusinessDate
    attendance: Attendance
    excuse: Text | None = None
    contributions: tuple[Contribution, ...] = Field((), max_length=len(Contribution))
    note: Text = ""


class LogActivity(Command):
    activity_on: BusinessDate
    kind: ActivityKind
    quantity: Quantity = 1
    amount_vnd: Vnd = 0
    in_kind: Line = ""
    household_ids: tuple[EntryId, ...] = Field((), max_length=MAX_HOUSEHOLDS)
    note: Text = ""


class SubmitAppraisal(Command):
    period: PeriodLabel
    text: RequiredText


class GradeMember(Command):
    period: PeriodLabel
    grade: Grade
    note: Text = ""


class Commend(Command):
    reason: RequiredText


class Correct(Command):
    reason: RequiredText


class PauseAssignment(Command):
    reason: RequiredText
    until: BusinessDate | None = None


class ResumeAssignment(Command):
    pass


class WithdrawMember(Command):
    reason: EndReason
    note: Text = ""


class EndAssignment(Command):
    """The directive ends an assignment (term completed, cell merged, …)."""

    reason: EndReason
    note: Text = ""


class CommandResult(BaseModel):
    """What an accepted command changed: the stream's new version and the assignment's stage."""

    model_config = ConfigDict(frozen=True)

    assignment_id: str
    version: int
    stage: str
    events: tuple[str, ...]
