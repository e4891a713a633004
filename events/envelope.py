"""The envelope every event travels in: who, when, where in which stream, why, and its integrity hash."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_validator,
)

from domain.actors import Actor, Role
from domain.event import DomainEvent

P_co = TypeVar("P_co", bound=DomainEvent, covariant=True)


@lru_cache(maxsize=4096)
def stored_actor(role: str, actor_id: str | None, account: str | None = None) -> Actor:
    """The Actor of stored columns; actors repeat across events and are immutable, so one instance serves."""
    return Actor(role=Role(role), id=actor_id, account=account)


class NewEvent(BaseModel, Generic[P_co]):
    """An event about to be appended. ``event_id`` is the idempotency key: resending it is a no-op.

    ``directive_id``, ``member_id`` and ``cell_id`` default to the payload's fields of the same name.
    """

    model_config = ConfigDict(frozen=True)

    payload: SerializeAsAny[P_co]
    occurred_at: AwareDatetime
    actor: Actor
    event_id: UUID = Field(default_factory=uuid4)
    directive_id: str | None = None
    causation_id: str | None = None
    member_id: str | None = None
    cell_id: str | None = None

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class RecordedEvent(BaseModel):
    """A stored event, as read back: the envelope, the current-schema payload and the chain hash."""

    model_config = ConfigDict(frozen=True)

    global_position: int
    event_id: UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    directive_id: str | None
    causation_id: str | None
    member_id: str | None
    cell_id: str | None
    payload: SerializeAsAny[DomainEvent]
    hash: str


_set = object.__setattr__
_RECORDED_FIELDS = frozenset(RecordedEvent.model_fields)


def recorded_event(values: dict[str, Any]) -> RecordedEvent:
    """A RecordedEvent from a row of the events table, without re-validating what its column types guarantee.

    Reading the log is the store's hot path: this is what pydantic's ``model_construct`` does, minus its
    per-field Python loop (every field is given). tests/events/test_envelope.py proves the result equal to
    a validated instance.
    """
    event = object.__new__(RecordedEvent)
    _set(event, "__dict__", values)
    _set(event, "__pydantic_fields_set__", _RECORDED_FIELDS)
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


class AppendResult(BaseModel):
    """Where an append left the stream; ``duplicate`` when the same events were already stored."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    version: int
    positions: list[int]
    duplicate: bool = False
