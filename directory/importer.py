"""Importing a directory file: validate it, apply its differences, record each as an event — all or nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from directory.entries import fold_entries
from directory.model import DirectoryFile
from domain.actors import Actor
from domain.event import DomainEvent
from domain.events.directory import (
    DirectoryEntryAdded,
    DirectoryEntryChanged,
    DirectoryEntryRemoved,
    DirectoryImported,
    EntryKind,
    FieldChange,
)
from events import EventStore, NewEvent
from infra.files import DEFAULT_LIMITS, FileLimits, parse_document, read_bytes, validate_document
from infra.postgres import Pool
from projections.catalog import all_projections
from projections.runner import Projector

STREAM = "directory"
_LOCK = 0x70686469  # "phdi": one import at a time
_SECTIONS = (
    (EntryKind.HQ, "hq"),
    (EntryKind.COMMUNE, "communes"),
    (EntryKind.CELL, "cells"),
    (EntryKind.POST, "posts"),
    (EntryKind.MEMBER, "members"),
    (EntryKind.HOUSEHOLD, "households"),
)


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


def load_directory(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> tuple[DirectoryFile, str]:
    """The validated directory file and the SHA-256 of its bytes (recorded with the import)."""
    data = read_bytes(path, limits)
    directory = validate_document(DirectoryFile, parse_document(data, path, limits), path, code="invalid_directory")
    return directory, hashlib.sha256(data).hexdigest()


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
    pool: Pool, store: EventStore, path: Path, actor: Actor, now: datetime, *, limits: FileLimits = DEFAULT_LIMITS
) -> ImportResult:
    """Apply the differences between ``path`` and the stored directory; an invalid file changes nothing."""
    directory, digest = load_directory(path, limits)
    return await apply_directory(pool, store, directory, digest, path.name, actor=actor, now=now)


async def apply_directory(
    pool: Pool,
    store: EventStore,
    directory: DirectoryFile,
    digest: str,
    source: str,
    *,
    actor: Actor,
    now: datetime,
    remove_missing: bool = True,
) -> ImportResult:
    """Make the stored directory ``directory``; with ``remove_missing=False`` only add and change entries."""
    desired = _entries(directory)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        # The directory as its record says, not as a read model (which may lag) shows it.
        recorded = await store.read_stream(STREAM, connection=conn)
        version = recorded[-1].stream_version if recorded else 0
        current = fold_entries(e.payload for e in recorded)
        changes: list[tuple[DomainEvent, dict[str, str | None]]] = []
        for key, data in desired.items():
            kind, entry_id = key
            stored = current.get(key)
            if stored is None or not stored.active:
                changes.append((DirectoryEntryAdded(kind=kind, entry_id=entry_id, data=data), _subjects(*key, data)))
            elif stored.data != data:
                diff = _changes(stored.data, data)
                changes.append(
                    (DirectoryEntryChanged(kind=kind, entry_id=entry_id, changes=diff), _subjects(*key, data))
                )
        removed = [key for key, entry in current.items() if entry.active and key not in desired and remove_missing]
        for kind, entry_id in removed:
            event = DirectoryEntryRemoved(kind=kind, entry_id=entry_id)
            changes.append((event, _subjects(kind, entry_id, current[(kind, entry_id)].data)))
        added = sum(isinstance(e, DirectoryEntryAdded) for e, _ in changes)
        changed = sum(isinstance(e, DirectoryEntryChanged) for e, _ in changes)
        result = ImportResult(source=source, added=added, changed=changed, removed=len(removed), version=version)
        if result.unchanged:
            return result
        summary = DirectoryImported(
            source=source,
            source_sha256=digest,
            province=directory.province,
            added=added,
            changed=changed,
            removed=len(removed),
        )
        causation = f"directory-import:{digest[:16]}"
        events: list[NewEvent[DomainEvent]] = [
            NewEvent(payload=summary, occurred_at=now, actor=actor, causation_id=causation)
        ]
        events += [
            NewEvent(payload=event, occurred_at=now, actor=actor, causation_id=causation, **subjects)
            for event, subjects in changes
        ]
        appended = await store.append(STREAM, version, events, connection=conn)
    # What the next command reads (cells, members, contacts) is the read model: bring it up to this import.
    await Projector(pool, store, all_projections()).catch_up()
    return result.model_copy(update={"version": appended.version})
