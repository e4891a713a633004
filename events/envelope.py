"""The envelope every event travels in: who, when, where in which stream, why, and its integrity hash."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Generic, Self, TypeVar
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_validator,
    model_validator,
)

from events.registry import DomainEvent

P_co = TypeVar("P_co", bound=DomainEvent, covariant=True)


class Role(StrEnum):
    """Who may act in phancong (DOMAIN.md, "Actors"); ``system`` is phancong itself (timers, reminders)."""

    HQ = "hq"
    POST = "post"
    COMMUNE = "commune"
    CELL = "cell"
    MEMBER = "member"
    AUDITOR = "auditor"
    SYSTEM = "system"


# Roles that stand for one organisation or person and so must name it.
ROLES_WITH_ID = frozenset({Role.POST, Role.COMMUNE, Role.CELL, Role.MEMBER})


class Actor(BaseModel):
    """The role and, for posts, communes, cells and members, the id of whoever caused an event."""

    model_config = ConfigDict(frozen=True)

    role: Role
    id: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _normal_form(cls, value: object) -> object:
        # The same id typed decomposed (NFD) is the same actor.
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _id_matches_role(self) -> Self:
        if self.role in ROLES_WITH_ID and not self.id:
            raise ValueError(f"actor role {self.role.value!r} needs an id ({self.role.value}:ID)")
        return self

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Read ``ROLE[:ID]``, e.g. ``post:DBP-HAM-LUONG`` or ``hq``: a role people act in (never ``system``),
        with an id exactly when the role stands for one unit or person."""
        role_text, _, ident = text.strip().partition(":")
        try:
            role = Role(role_text.strip())
        except ValueError:
            people = ", ".join(r.value for r in Role if r != Role.SYSTEM)
            raise ValueError(f"unknown role {role_text.strip()!r} (one of {people})") from None
        if role == Role.SYSTEM:
            raise ValueError("'system' is phancong itself; nobody acts as it")
        if role not in ROLES_WITH_ID and ident.strip():
            raise ValueError(f"{role.value} takes no id ({role.value}, not {role.value}:{ident.strip()})")
        return cls(role=role, id=ident.strip() or None)

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}" if self.id else self.role.value


SYSTEM = Actor(role=Role.SYSTEM)  # phancong itself: timers, reminders, deliveries


@lru_cache(maxsize=4096)
def stored_actor(role: str, actor_id: str | None) -> Actor:
    """The Actor of stored columns; actors repeat across events and are immutable, so one instance serves."""
    return Actor(role=Role(role), id=actor_id)


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
