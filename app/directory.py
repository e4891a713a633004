"""The directory: HQ imports it (each difference recorded as an event, all or nothing), everyone looks it up."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.actors import known
from app.ports import EventLog, HouseholdVault, ReadModels
from app.scopes import EVERYTHING, require_role, sensitive_households, visible_tags
from app.services import Services
from directory.entries import Entry, fold_entries
from directory.households import SEALED, split
from directory.model import DirectoryFile
from domain.actors import Actor, Role
from domain.bounds import entry_id, required_text
from domain.errors import InvalidInputError, NotFoundError, PhancongError, WrongStateError
from domain.event import DomainEvent
from domain.events.directory import (
    DirectoryEntryAdded,
    DirectoryEntryChanged,
    DirectoryEntryRemoved,
    DirectoryImported,
    EntryKind,
    FieldChange,
    HouseholdErased,
)
from events.envelope import NewEvent
from events.errors import ConcurrencyError

STREAM = "directory"
_SECTIONS = (
    (EntryKind.HQ, "hq"),
    (EntryKind.AUDITOR, "auditors"),
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
    return await apply_directory(
        s.log, s.read, directory, digest, source, vault=require_vault(s.vault), actor=actor, now=s.clock.now()
    )


def require_vault(vault: HouseholdVault | None) -> HouseholdVault:
    """The households' vault, or the refusal that says how to configure it."""
    if vault is None:
        raise PhancongError(
            "households' data keys are not configured (PHANCONG_MASTER_KEYS_FILE)", code="invalid_configuration"
        )
    return vault


async def apply_directory(
    log: EventLog,
    read: ReadModels,
    directory: DirectoryFile,
    digest: str,
    source: str,
    *,
    vault: HouseholdVault,
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
        current = fold_entries(e.payload for e in recorded)
        desired = await _sealed(vault, current, _entries(directory))
        changes = _differences(current, desired, remove_missing)
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


async def _sealed(
    vault: HouseholdVault,
    current: dict[tuple[EntryKind, str], Entry],
    desired: dict[tuple[EntryKind, str], dict[str, Any]],
) -> dict[tuple[EntryKind, str], dict[str, Any]]:
    """``desired`` with each household as it is stored: its clear part and its secret part sealed — the box it has
    when its secrets did not change (so an unchanged household is no change), a new one when they did, and an erased
    household's secrets left erased (its box stays the one nobody can open)."""
    households = {eid: data for (kind, eid), data in desired.items() if kind == EntryKind.HOUSEHOLD}
    if not households:
        return desired
    stored = {
        eid: current[(EntryKind.HOUSEHOLD, eid)].data for eid in households if (EntryKind.HOUSEHOLD, eid) in current
    }
    ids = sorted(stored)
    opened = dict(zip(ids, await vault.open([(h, stored[h]) for h in ids]), strict=True))
    erased = await vault.erased(households)
    parts = {eid: split(data) for eid, data in households.items()}
    sealed = await vault.seal(
        {
            eid: secret
            for eid, (_, secret) in parts.items()
            if eid not in erased and (eid not in opened or opened[eid] != secret or SEALED not in stored[eid])
        }
    )
    result = dict(desired)
    for eid, (clear, _) in parts.items():
        box = sealed.get(eid) or stored.get(eid, {}).get(SEALED)
        result[(EntryKind.HOUSEHOLD, eid)] = {**clear, SEALED: box} if box is not None else clear
    return result


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


class Erasure(BaseModel):
    model_config = ConfigDict(frozen=True)

    household_id: str
    erased_at: datetime
    position: int  # of the HouseholdErased event in the log


async def erase_household(s: Services, actor: Actor, household_id: str, reason: str) -> Erasure:
    """HQ erases a household's sensitive data (head, denomination, sensitive tags) by destroying its data key:
    every event that carried them still stands and still verifies, and none can be opened again. The erasure is
    itself an event (``HouseholdErased``); a second erasure of the same household is refused."""
    require_role(actor, Role.HQ)
    household_id = entry_id(household_id, "household")
    reason = required_text(reason, "reason")
    vault = require_vault(s.vault)
    for attempt in range(1, _ATTEMPTS + 1):
        recorded = await s.log.read_stream(STREAM)
        entry = fold_entries(e.payload for e in recorded).get((EntryKind.HOUSEHOLD, household_id))
        if entry is None:
            raise NotFoundError(f"no household {household_id} in the directory")
        if any(isinstance(e.payload, HouseholdErased) and e.payload.household_id == household_id for e in recorded):
            raise WrongStateError(f"household {household_id} is erased already")
        now = s.clock.now()
        await vault.erase(household_id, now)  # first: a crash before the event leaves it erased, and a retry records it
        event: NewEvent[DomainEvent] = NewEvent(
            payload=HouseholdErased(household_id=household_id, reason=reason),
            occurred_at=now,
            actor=actor,
            causation_id=f"erase:{household_id}",
            cell_id=entry.data.get("cell"),
        )
        version = recorded[-1].stream_version if recorded else 0
        try:
            appended = await s.log.append(STREAM, version, [event])
        except ConcurrencyError:
            if attempt == _ATTEMPTS:
                raise
            continue
        await s.read.catch_up()
        return Erasure(household_id=household_id, erased_at=now, position=appended.positions[-1])
    raise AssertionError("unreachable")


async def counts(s: Services, viewer: Actor) -> dict[str, int]:
    """How many communes, cells, posts, members and households the directory holds (anyone it knows may ask)."""
    await known(s.directory, viewer)
    return await s.directory.counts()


KINDS = ("posts", "communes", "cells", "members", "households")
MAX_FOUND = 200


class Found(BaseModel):
    """One directory entry as the viewer may see it: every household row has the same keys whoever reads it; the
    sensitive tags and the denomination are there only for a reader allowed them, and for nobody else any trace of
    them (no marker, no empty key that others have filled)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    id: str
    name: str
    within: str  # the commune, post or cell the entry belongs to
    tags: tuple[str, ...] = ()
    erased: bool = False  # a household whose sensitive data HQ has erased


def _matches(query: str, *texts: str) -> bool:
    return not query or any(query in unicodedata.normalize("NFC", t).casefold() for t in texts)


async def browse(s: Services, viewer: Actor, kind: str, query: str = "") -> list[Found]:
    """Search the directory by id or name: posts, communes and cells for everyone it knows; members for HQ,
    auditors and their own post; households for HQ, auditors, the post whose members sponsor them, and the commune
    and cell they live in."""
    await known(s.directory, viewer)
    if kind not in KINDS:
        raise InvalidInputError(f"kind {kind!r}: one of {', '.join(KINDS)}")
    q = unicodedata.normalize("NFC", query.strip()).casefold()[:200]
    found: list[Found] = []
    if kind == "posts":
        found = [
            Found(kind=kind, id=p.id, name=p.name, within=", ".join(p.communes)) for p in await s.directory.posts()
        ]
    elif kind == "communes":
        found = [Found(kind=kind, id=c.id, name=c.name, within="") for c in await s.directory.communes()]
    elif kind == "cells":
        found = [Found(kind=kind, id=c.id, name=c.name, within=c.commune) for c in await s.directory.cells()]
    elif kind == "members":
        if viewer.role not in EVERYTHING:
            require_role(viewer, Role.POST)
        members = await s.directory.members(post=None if viewer.role in EVERYTHING else viewer.id)
        found = [Found(kind=kind, id=m.id, name=m.name, within=m.post) for m in members]
    else:
        found = await _households(s, viewer)
    hits = [f for f in found if _matches(q, f.id, f.name, f.within)]
    return sorted(hits, key=lambda f: f.id)[:MAX_FOUND]


async def _households(s: Services, viewer: Actor) -> list[Found]:
    sponsored: set[str] = set()
    if viewer.role == Role.POST and viewer.id is not None:
        sponsored = await s.read.sponsored_households(viewer.id)
        households = await s.directory.households(ids=sorted(sponsored), reveal=True)
    elif viewer.role == Role.COMMUNE:
        cells = [c.id for c in await s.directory.cells(communes=[viewer.id or ""])]
        households = await s.directory.households(cells=cells, reveal=True)
    elif viewer.role == Role.CELL:
        households = await s.directory.households(cells=[viewer.id or ""], reveal=True)
    else:
        require_role(viewer, Role.HQ, Role.AUDITOR, Role.POST, Role.COMMUNE, Role.CELL)
        households = await s.directory.households(reveal=True)
    allowed = sensitive_households(viewer, sponsored)

    def tags(h: Any) -> tuple[str, ...]:
        sensitive = allowed is None or h.id in allowed
        shown = visible_tags([str(t) for t in h.tags], sensitive=sensitive)
        return (*shown, *([f"denomination: {h.denomination}"] if sensitive and h.denomination else []))

    return [
        Found(kind="households", id=h.id, name=h.head or h.id, within=h.cell, tags=tags(h), erased=h.erased)
        for h in households
    ]
