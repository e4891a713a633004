"""Event types for the store's own tests (the domain's events live in events.catalog)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID, uuid4

from domain.actors import Actor, Role
from domain.event import DomainEvent
from events import EventRegistry, NewEvent


class SampleRecorded(DomainEvent):
    type: Literal["SampleRecorded"] = "SampleRecorded"
    directive_id: str | None = None
    member_id: str | None = None
    cell_id: str | None = None
    text: str = ""
    amount_vnd: int = 0


class HouseholdVisited(DomainEvent):
    """Version 2 names the household; version 1 stored only a free-text note."""

    type: Literal["HouseholdVisited"] = "HouseholdVisited"
    schema_version: ClassVar[int] = 2
    household_id: str
    note: str


class HouseholdVisitedV1(DomainEvent):
    """How HouseholdVisited was written before version 2 (registered only in an "old code" registry)."""

    type: Literal["HouseholdVisited"] = "HouseholdVisited"
    note: str


SAMPLE_REGISTRY = EventRegistry([SampleRecorded, HouseholdVisited])
OLD_REGISTRY = EventRegistry([SampleRecorded, HouseholdVisitedV1])


@SAMPLE_REGISTRY.upcaster("HouseholdVisited", from_version=1)
def _household_from_note(data: dict[str, Any]) -> dict[str, Any]:
    household, _, note = data["note"].partition(": ")
    return {"household_id": household, "note": note}


POST = Actor(role=Role.POST, id="DBP-HAM-LUONG")
AT = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def sample(
    text: str = "sinh hoạt chi bộ",
    *,
    event_id: UUID | None = None,
    member_id: str | None = "M-001",
    cell_id: str | None = "CB-AP-1",
    directive_id: str | None = "681-CT/ĐU",
    amount_vnd: int = 0,
) -> NewEvent[DomainEvent]:
    return NewEvent(
        event_id=event_id or uuid4(),
        payload=SampleRecorded(
            text=text, member_id=member_id, cell_id=cell_id, directive_id=directive_id, amount_vnd=amount_vnd
        ),
        occurred_at=AT,
        actor=POST,
    )
