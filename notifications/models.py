"""What notifications carry between the outbox, the channels and the delivery workflow: plain models (no I/O),
so the workflows can import them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.actors import Actor
from domain.events.notification import DeliveryAttempted
from domain.vocabulary import Subject
from infra.masking import masked


class Names(BaseModel):
    """Names of what a notification concerns, as the directory knows them (ids when it does not)."""

    model_config = ConfigDict(frozen=True)

    member: str | None = None
    cell: str | None = None
    commune: str | None = None
    post: str | None = None
    directive: str | None = None


class Reminded(BaseModel):
    """One reminder that preceded an escalation, and what became of it."""

    model_config = ConfigDict(frozen=True)

    key: str
    recipient: str
    queued_on: date
    status: str  # pending | delivered | dead
    channel: str | None = None


class Notification(BaseModel):
    """One row of the outbox, as delivery needs it."""

    model_config = ConfigDict(frozen=True)

    notification_id: str
    directive_id: str | None
    assignment_id: str | None
    recipient_role: str
    recipient_id: str | None
    subject: Subject
    escalation: bool
    due_on: date | None
    reference: str | None
    details: dict[str, Any]
    chain: tuple[Reminded, ...] = ()  # escalations: the reminders sent before, oldest first

    @property
    def recipient(self) -> str:
        return f"{self.recipient_role}:{self.recipient_id}" if self.recipient_id else self.recipient_role


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    language: str
    subject: str
    body: str
    command: str | None = None


class Target(BaseModel):
    """One place a notification goes: whose it is, the channel, the address, the language to write in."""

    model_config = ConfigDict(frozen=True)

    recipient: str  # role:id
    channel: str  # webhook | email | console
    address: str | None = None
    language: str = "vi"

    @property
    def label(self) -> str:
        return self.address or f"{self.channel}:{self.recipient}"


class Outgoing(BaseModel):
    """The message in one language, under the notification's idempotency key."""

    model_config = ConfigDict(frozen=True)

    notification_id: str
    idempotency_key: str
    message: Message
    payload: dict[str, Any]


class PreparedDelivery(BaseModel):
    """Everything the attempts need, decided once: the targets, the message in each of their languages, and
    the version the notification's stream had."""

    model_config = ConfigDict(frozen=True)

    notification: Notification
    targets: list[Target]
    outgoing: dict[str, Outgoing]  # by language
    version: int


class Send(BaseModel):
    """One attempt's send to one target."""

    model_config = ConfigDict(frozen=True)

    target: Target
    outgoing: Outgoing


class AttemptInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: UUID
    attempt: int
    max_attempts: int
    timeout_seconds: int  # a send not answered by then counts as failed (and is tried again)
    retried_by: Actor | None = None  # HQ asked to try a dead-lettered notification again (first attempt only)


class AttemptOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: str  # delivered | pending | dead
    attempts: int
    error: str | None = None


def attempted(
    notification_id: str, attempt: int, target: Target, idempotency_key: str, failure: tuple[str, bool] | None
) -> DeliveryAttempted:
    """The record of one send: ``failure`` is None if it went through, else (why, whether it was a refusal)."""
    return DeliveryAttempted(
        notification_id=notification_id,
        attempt=attempt,
        recipient=target.recipient,
        channel=target.channel,
        address=masked(target.address),
        language=target.language,
        succeeded=failure is None,
        error=failure[0] if failure else None,
        permanent=failure[1] if failure else False,
        idempotency_key=idempotency_key,
    )
