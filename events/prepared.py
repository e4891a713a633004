"""An event as it is stored: its column values, its canonical payload and its content hash (every store's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.canonical import canonical_json
from domain.event import DomainEvent
from events.envelope import NewEvent
from events.integrity import fast_content_hash


@dataclass(slots=True)
class Prepared:
    """An event turned into column values, with its content hash computed by the writer."""

    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: datetime
    actor_role: str
    actor_id: str | None
    actor_account: str | None
    directive_id: str | None
    causation_id: str | None
    member_id: str | None
    cell_id: str | None
    payload: str
    content_hash: bytes


def subject_of(event: NewEvent[DomainEvent], name: str) -> str | None:
    explicit: str | None = getattr(event, name)
    if explicit is not None:
        return explicit
    implied = getattr(event.payload, name, None)
    return implied if isinstance(implied, str) else None


def prepare(stream_id: str, version: int, event: NewEvent[DomainEvent]) -> Prepared:
    payload = event.payload
    prepared = Prepared(
        event_id=event.event_id,
        event_type=payload.type,
        schema_version=payload.schema_version,
        occurred_at=event.occurred_at,
        actor_role=event.actor.role.value,
        actor_id=event.actor.id,
        actor_account=event.actor.account,
        directive_id=subject_of(event, "directive_id"),
        causation_id=event.causation_id,
        member_id=subject_of(event, "member_id"),
        cell_id=subject_of(event, "cell_id"),
        payload=canonical_json(payload.stored_payload()),
        content_hash=b"",
    )
    prepared.content_hash = fast_content_hash(
        event_id=prepared.event_id,
        stream_id=stream_id,
        stream_version=version,
        event_type=prepared.event_type,
        schema_version=prepared.schema_version,
        occurred_at=prepared.occurred_at,
        actor_role=prepared.actor_role,
        actor_id=prepared.actor_id,
        actor_account=prepared.actor_account,
        directive_id=prepared.directive_id,
        causation_id=prepared.causation_id,
        member_id=prepared.member_id,
        cell_id=prepared.cell_id,
        payload_json=prepared.payload,
    )
    return prepared


def the_one(query: str, **given: str | None) -> tuple[str, str]:
    """The one column a query of several optional selectors was given, and its value (every store's rule)."""
    chosen = [(column, value) for column, value in given.items() if value is not None]
    if len(chosen) != 1:
        raise ValueError(f"{query} takes exactly one of {', '.join(given)}")
    return chosen[0]
