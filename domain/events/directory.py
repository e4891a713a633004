"""Events of the directory (stream ``directory``): what each import changed, entry by entry."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from domain.event import DomainEvent


class EntryKind(StrEnum):
    HQ = "hq"
    AUDITOR = "auditor"
    COMMUNE = "commune"
    CELL = "cell"
    POST = "post"
    MEMBER = "member"
    HOUSEHOLD = "household"


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    before: Any
    after: Any


class DirectoryImported(DomainEvent):
    """A directory file was imported; the entry events that follow it in the same append are its changes."""

    type: Literal["DirectoryImported"] = "DirectoryImported"
    source: str
    source_sha256: str
    province: str
    added: int
    changed: int
    removed: int


class DirectoryEntryAdded(DomainEvent):
    type: Literal["DirectoryEntryAdded"] = "DirectoryEntryAdded"
    kind: EntryKind
    entry_id: str
    data: dict[str, Any]


class DirectoryEntryChanged(DomainEvent):
    type: Literal["DirectoryEntryChanged"] = "DirectoryEntryChanged"
    kind: EntryKind
    entry_id: str
    changes: dict[str, FieldChange]


class DirectoryEntryRemoved(DomainEvent):
    type: Literal["DirectoryEntryRemoved"] = "DirectoryEntryRemoved"
    kind: EntryKind
    entry_id: str


class HouseholdErased(DomainEvent):
    """HQ destroyed a household's data key: its sealed fields (head, denomination, sensitive tags) read as erased
    everywhere from now on, in every event that carried them; the events themselves, their chain and seals stay."""

    type: Literal["HouseholdErased"] = "HouseholdErased"
    household_id: str
    reason: str


DIRECTORY_EVENTS: tuple[type[DomainEvent], ...] = (
    DirectoryImported,
    DirectoryEntryAdded,
    DirectoryEntryChanged,
    DirectoryEntryRemoved,
    HouseholdErased,
)

DirectoryEvent = (
    DirectoryImported | DirectoryEntryAdded | DirectoryEntryChanged | DirectoryEntryRemoved | HouseholdErased
)
