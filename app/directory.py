"""The directory: HQ imports it (each difference recorded as an event, all or nothing), everyone looks it up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.actors import known
from app.ports import EventLog, ReadModels
from app.scopes import require_role
from app.services import Services
from directory.entries import fold_entries
from directory.model import DirectoryFile
from domain.actors import Actor, Role
from domain.event import DomainEvent
from domain.events.directory import (
    DirectoryEntryAdded,
    DirectoryEntryChanged,
    DirectoryEntryRemoved,
    DirectoryImported,
    EntryKind,
    FieldChange,
)
from events.envelope import NewEvent
from events.errors import ConcurrencyError

STREAM = "directory"
_SECTIONS = (
    (EntryKind.HQ, "hq"),
    (EntryKind.COMMUNE, "communes"),
    (EntryKind.CELL, "cells"),
    (EntryKind.POST, "posts"),
    (EntryKind.MEMBER, "members"),
    (EntryKind.HOUSEHOLD, "households"),
)
# Two imports at once: the second finds the stream moved on and diffs again against the first's result.
_ATTEMPTS = 5


class ImportResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    added: int
    changed: int
    removed: int
    version: int  # of the stream "directory" after the import

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _entries(directory: DirectoryFile) -> dict[tuple[EntryKind, str], dict[str, Any]]:
    desired: dict[tuple[EntryKind, str], dict[str, Any]] = {}
    for kind, section in _SECTIONS:
        for entry in getattr(directory, section):
            desired[(kind, entry.id)] = entry.model_dump(mode="json", exclude={"id"})
    return desired


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, FieldChange]:
    return {
        name: FieldChange(before=before.get(name), after=after.get(name))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def _subjects(kind: EntryKind, entry_id: str, data: dict[str, Any]) -> dict[str, str | None]:
    """The indexed columns an entry's events carry, so histories by member or cell include them."""
    if kind == EntryKind.MEMBER:
        return {"member_id": entry_id}
    if kind == EntryKind.CELL:
        return {"cell_id": entry_id}
    if kind == EntryKind.HOUSEHOLD:
        return {"cell_id": data.get("cell")}
    return {}


async def import_directory(
    s: Services, actor: Actor, directory: DirectoryFile, digest: str, source: str
) -> ImportResult:
    """HQ makes the stored directory the file's: every entry added, changed or removed is an event."""
    require_role(actor, Role.HQ)
    return await apply_directory(s.log, s.read, directory, digest, source, actor=actor, now=s.clock.now())


async def apply_directory(
    log: EventLog,
    read: ReadModels,
    directory: DirectoryFile,
    digest: str,
    source: str,
    *,
    actor: Actor,
    now: datetime,
    remove_missing: bool = True,
) -> ImportResult:
    """Make the stored directory ``directory`` (with ``remove_missing=False`` only add and change entries), then
    bring the read models up to it: what the next command reads (cells, members, contacts) is there."""
    for attempt in range(1, _ATTEMPTS + 1):
        # The directory as its record says, not as a read model (which may lag) shows it.
        recorded = await log.read_stream(STREAM)
        version = recorded[-1].stream_version if recorded else 0
        changes = _differences(fold_entries(e.payload for e in recorded), _entries(directory), remove_missing)
        added = sum(isinstance(e, DirectoryEntryAdded) for e, _ in changes)
        changed = sum(isinstance(e, DirectoryEntryChanged) for e, _ in changes)
        removed = sum(isinstance(e, DirectoryEntryRemoved) for e, _ in changes)
        result = ImportResult(source=source, added=added, changed=changed, removed=removed, version=version)
        if result.unchanged:
            return result
        summary = DirectoryImported(
            source=source, source_sha256=digest, province=directory.province, added=added, changed=changed,
            removed=removed,
        )  # fmt: skip
        causation = f"directory-import:{digest[:16]}"
        events: list[NewEvent[DomainEvent]] = [
            NewEvent(payload=summary, occurred_at=now, actor=actor, causation_id=causation)
        ]
        events += [
            NewEvent(payload=event, occurred_at=now, actor=actor, causation_id=causation, **subjects)
            for event, subjects in changes
        ]
        try:
            appended = await log.append(STREAM, version, events)
        except ConcurrencyError:
            if attempt == _ATTEMPTS:
                raise
            continue
        await read.catch_up()
        return result.model_copy(update={"version": appended.version})
    raise AssertionError("unreachable")


def _differences(
    current: dict[tuple[EntryKind, str], Any], desired: dict[tuple[EntryKind, str], dict[str, Any]], remove: bool
) -> list[tuple[DomainEvent, dict[str, str | None]]]:
    """The events that make ``current`` entries the ``desired`` ones, each with the subjects it concerns."""
    changes: list[tuple[DomainEvent, dict[str, str | None]]] = []
    for key, data in desired.items():
        kind, entry_id = key
        stored = current.get(key)
        if stored is None or not stored.active:
            changes.append((DirectoryEntryAdded(kind=kind, entry_id=entry_id, data=data), _subjects(*key, data)))
        elif stored.data != data:
            diff = _changes(stored.data, data)
            changes.append((DirectoryEntryChanged(kind=kind, entry_id=entry_id, changes=diff), _subjects(*key, data)))
    for (kind, entry_id), entry in current.items():
        if remove and entry.active and (kind, entry_id) not in desired:
            event = DirectoryEntryRemoved(kind=kind, entry_id=entry_id)
            changes.append((event, _subjects(kind, entry_id, entry.data)))
    return changes


async def counts(s: Services, viewer: Actor) -> dict[str, int]:
    """How many communes, cells, posts, members and households the directory holds (anyone it knows may ask)."""
    await known(s.directory, viewer)
    return await s.directory.counts()
