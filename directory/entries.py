"""The directory's entries as the fold of its events (stream ``directory``): what each import left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.event import DomainEvent
from domain.events.directory import DirectoryEntryAdded, DirectoryEntryChanged, DirectoryEntryRemoved, EntryKind

Key = tuple[EntryKind, str]


@dataclass(frozen=True)
class Entry:
    data: dict[str, Any]
    active: bool


def apply_entry(current: Entry | None, event: DomainEvent) -> Entry | None:
    """The entry ``event`` concerns, after it (``current`` before it; None when the event is no entry's)."""
    match event:
        case DirectoryEntryAdded(data=data):
            return Entry(dict(data), True)
        case DirectoryEntryChanged(changes=changes):
            data = dict(current.data) if current is not None else {}
            for name, change in changes.items():
                data[name] = change.after
            return Entry(data, True)
        case DirectoryEntryRemoved():
            return Entry(current.data if current is not None else {}, False)
    return current


def key_of(event: DomainEvent) -> Key | None:
    if isinstance(event, DirectoryEntryAdded | DirectoryEntryChanged | DirectoryEntryRemoved):
        return (event.kind, event.entry_id)
    return None


def fold_entries(events: Iterable[DomainEvent]) -> dict[Key, Entry]:
    """Every entry the directory's events have made, active or removed."""
    entries: dict[Key, Entry] = {}
    for event in events:
        key = key_of(event)
        if key is not None:
            entry = apply_entry(entries.get(key), event)
            if entry is not None:
                entries[key] = entry
    return entries
