"""The history of a member, a cell, a directive or an assignment: the events with their actors and times, and
the state they fold into, as the record stood at any moment (``as_of``: recorded before it).

Who may read what is ``app.scopes``'s: the facts it needs come from the read models and the directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.actors import known
from app.directory import require_vault
from app.ports import HouseholdVault
from app.scopes import Facts, Subject, check_history, sensitive_households, visible_tags
from app.services import Services
from directory.households import SEALED, join
from domain.actors import Actor, Role
from domain.assignment import AssignmentState, FoldError, fold, stream_of
from domain.bounds import assignment_id, business_date, directive_code, entry_id
from domain.calendar import VIETNAM
from domain.directive import DirectiveState, directive_stream
from domain.directive_fold import fold_directive
from domain.errors import NotFoundError
from domain.events.directory import DirectoryEntryAdded, DirectoryEntryChanged, EntryKind
from events.envelope import RecordedEvent


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    stream_id: str
    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    account: str | None = None  # the person (login) behind the actor, when one signed in to do it
    directive_id: str | None
    payload: dict[str, Any]

    @property
    def summary(self) -> str:
        fields = {
            k: v for k, v in self.payload.items() if k not in ("type", "schema_version") and v not in (None, "", [], {})
        }
        text = ", ".join(f"{k}={_short(v)}" for k, v in fields.items())
        return text if len(text) <= 110 else text[:107] + "..."


class History(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: Subject
    subject_id: str
    as_of: datetime | None
    on: date | None = None  # the business date the record is shown as of (events that happened by its end)
    entries: list[Entry]
    state: dict[str, Any]


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def as_of_moment(text: str) -> datetime:
    """``YYYY-MM-DD`` (the end of that day in Viet Nam) or an ISO date-time with its offset, within phancong's
    window of dates."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("give the offset, e.g. 2026-12-01T17:30+07:00") from None
        business_date(moment.astimezone(VIETNAM).date(), "--as-of")
        return moment
    return datetime.combine(business_date(day, "--as-of") + timedelta(days=1), time(), tzinfo=VIETNAM)


async def facts_of(s: Services, subject: Subject, subject_id: str) -> Facts | None:
    """What the record says about whom ``subject_id`` belongs to (None when nothing does)."""
    match subject:
        case Subject.ASSIGNMENT:
            units = await s.read.assignment_units(subject_id)
            return Facts(units) if units is not None else None
        case Subject.MEMBER:
            member = await s.directory.member(subject_id)
            communes = await s.read.member_communes(subject_id)
            return Facts(
                {
                    "member": {subject_id},
                    "post": {member.post} if member is not None else set(),
                    "commune": communes if len(communes) == 1 else set(),
                }
            )
        case Subject.CELL:
            cell = await s.directory.cell(subject_id)
            if cell is None:
                return Facts({"cell": {subject_id}})
            posts = {p.id for p in await s.directory.posts() if cell.commune in p.communes}
            return Facts({"cell": {subject_id}, "commune": {cell.commune}, "post": posts})
        case Subject.DIRECTIVE:
            in_scope = await s.read.directive_posts(subject_id)
            return Facts({"post": in_scope}) if in_scope is not None else None


async def history(
    s: Services, viewer: Actor, subject: Subject, subject_id: str, as_of: datetime | None, *, on: date | None = None
) -> History:
    """The timeline of a member, a cell, a directive or an assignment, as the record stood ``as_of`` (every event
    recorded before it) and, with ``on``, as things stood on that business date (every event that happened by its
    end, Viet Nam time, whenever it was recorded: what a record brought in from past years shows), with the state
    those events fold into; sensitive household tags redacted by scope."""
    subject_id = _CHECKED[subject](subject_id, subject.value)
    await known(s.directory, viewer)
    await s.read.catch_up()
    check_history(viewer, subject, subject_id, await facts_of(s, subject, subject_id))
    match subject:
        case Subject.ASSIGNMENT:
            events = await s.log.history(stream_id=stream_of(subject_id), recorded_before=as_of)
        case Subject.DIRECTIVE:
            events = await s.log.history(stream_id=directive_stream(subject_id), recorded_before=as_of)
        case Subject.MEMBER:
            events = await s.log.history(member_id=subject_id, recorded_before=as_of)
        case Subject.CELL:
            events = await s.log.history(cell_id=subject_id, recorded_before=as_of)
    happened = _happened_by(on)
    events = [e for e in events if happened(e)]
    if not events:
        when = (f" recorded before {as_of.isoformat()}" if as_of else "") + (f" that happened by {on}" if on else "")
        raise NotFoundError(f"no events of {subject.value} {subject_id}{when}")
    sponsored = await s.read.sponsored_households(viewer.id) if viewer.role == Role.POST and viewer.id else set()
    allowed = sensitive_households(viewer, sponsored)
    payloads = await unseal(s.vault, events)
    entries = [_entry(e, payload, allowed) for e, payload in zip(events, payloads, strict=True)]
    try:
        state = await _state(s, subject, subject_id, events, as_of, happened=happened)
    except FoldError as broken:  # a stored event the fold cannot follow: the timeline is still shown
        state = {"error": f"the events do not fold into a state: {broken}"}
    return History(subject=subject, subject_id=subject_id, as_of=as_of, on=on, entries=entries, state=state)


def _happened_by(on: date | None) -> Callable[[RecordedEvent], bool]:
    if on is None:
        return lambda _: True
    until = datetime.combine(on + timedelta(days=1), time(), tzinfo=VIETNAM)
    return lambda e: e.occurred_at < until


_CHECKED = {
    Subject.MEMBER: entry_id,
    Subject.CELL: entry_id,
    Subject.DIRECTIVE: directive_code,
    Subject.ASSIGNMENT: assignment_id,
}


def _entry(e: RecordedEvent, payload: dict[str, Any], allowed: set[str] | None) -> Entry:
    if allowed is not None:
        payload = redact(e, payload, allowed)
    return Entry(
        position=e.global_position,
        stream_id=e.stream_id,
        version=e.stream_version,
        event_type=e.event_type,
        occurred_at=e.occurred_at,
        recorded_at=e.recorded_at,
        actor=str(e.actor),
        account=e.actor.account,
        directive_id=e.directive_id,
        payload=payload,
    )


async def _state(
    s: Services,
    subject: Subject,
    subject_id: str,
    events: list[RecordedEvent],
    as_of: datetime | None,
    *,
    happened: Callable[[RecordedEvent], bool],
) -> dict[str, Any]:
    if subject == Subject.ASSIGNMENT:
        return _assignment_summary(fold(e.payload for e in events))
    if subject == Subject.DIRECTIVE:
        return await _directive_summary(s, fold_directive(e.payload for e in events), as_of)
    streams = sorted({e.stream_id for e in events if e.stream_id.startswith("assignment-")})
    assignments = []
    for stream in streams:
        whole = await s.log.history(stream_id=stream, recorded_before=as_of)
        assignments.append(_assignment_summary(fold(e.payload for e in whole if happened(e))))
    if subject == Subject.CELL:
        assignments = [a for a in assignments if subject_id in (a["cell_id"], a["asked_cell_id"])]
    return {"assignments": assignments}


async def _directive_summary(s: Services, state: DirectiveState | None, as_of: datetime | None) -> dict[str, Any]:
    if state is None:
        return {}
    d = state.directive
    stages = await s.read.directive_stages(d.code, as_of)
    covered = {cell for stage, cell in stages if stage in ("active", "paused")}
    in_scope = {c.id for c in d.cells}
    priority = {c.id for c in d.cells if c.priority}
    return {
        "directive_id": d.code,
        "title": d.title,
        "status": "open" if state.open else f"closed on {state.closed_on}",
        "term": f"{d.term_starts_on} … {d.term_ends_on}",
        "cells_in_scope": len(in_scope),
        "cells_covered": len(covered & in_scope),
        "priority_cells_covered": f"{len(covered & priority)}/{len(priority)}",
        "assignments": len(stages),
        "assignments_by_stage": {s: sum(1 for t, _ in stages if t == s) for s in sorted({t for t, _ in stages})},
        "replacements_open": sum(1 for r in state.replacements.values() if r.fulfilled_by is None),
    }


def _assignment_summary(state: AssignmentState | None) -> dict[str, Any]:
    assert state is not None
    present = sum(1 for m in state.meetings.values() if m.attendance.value == "present")
    return {
        "assignment_id": state.assignment_id,
        "member_id": state.member_id,
        "post_id": state.post_id,
        "commune_id": state.commune_id,
        "cell_id": state.serving_cell_id,
        "asked_cell_id": state.cell_id,
        "stage": state.stage.value,
        "joined_on": state.joined_on.isoformat() if state.joined_on else None,
        "ended_on": state.ended_on.isoformat() if state.ended_on else None,
        "end_reason": state.end_reason.value if state.end_reason else None,
        "meetings": f"{present}/{len(state.meetings)} present",
        "grades": {p: r.grade.value for p, r in sorted(state.reviews.items()) if r.grade is not None},
        "commendations": state.commendations,
        "corrections": len(state.corrections),
        "households": list(state.household_ids),
    }


def _household_of(event: RecordedEvent) -> str | None:
    match event.payload:
        case (
            DirectoryEntryAdded(kind=EntryKind.HOUSEHOLD, entry_id=hid)
            | DirectoryEntryChanged(kind=EntryKind.HOUSEHOLD, entry_id=hid)
        ):
            return hid
    return None


async def unseal(vault: HouseholdVault | None, events: list[RecordedEvent]) -> list[dict[str, Any]]:
    """Each event's payload, a household's sealed secrets opened into the fields the directory file gave (head,
    denomination, sensitive tags; a change of them as ``head``, ``denomination`` and ``sensitive_tags`` changes),
    or marked ``erased`` where its data key is destroyed. Redaction (``redact``) then applies as to any payload."""
    payloads = [e.payload.model_dump(mode="json") for e in events]
    boxes: list[tuple[int, str, str, dict[str, Any]]] = []  # (event index, household, where, stored data)
    for i, (event, payload) in enumerate(zip(events, payloads, strict=True)):
        household = _household_of(event)
        if household is None:
            continue
        if "data" in payload:
            boxes.append((i, household, "data", payload["data"]))
        elif (change := payload["changes"].get(SEALED)) is not None:
            for side in ("before", "after"):
                boxes.append((i, household, side, {SEALED: change[side]} if change[side] else {}))
    if not boxes:
        return payloads
    opened = await require_vault(vault).open([(household, data) for _, household, _, data in boxes])
    secrets: dict[tuple[int, str], dict[str, Any] | None] = {}
    for (i, _, where, data), secret in zip(boxes, opened, strict=True):
        if where == "data":
            payloads[i] = {**payloads[i], "data": join(data, secret)}
        else:
            secrets[(i, where)] = secret if data else {}
    for i in {i for i, _ in secrets}:
        before, after = secrets[(i, "before")], secrets[(i, "after")]
        changes = {k: v for k, v in payloads[i]["changes"].items() if k != SEALED}
        if before is None or after is None:
            changes["erased"] = {"before": before is None, "after": after is None}
        else:
            for name, key in (("head", "head"), ("denomination", "denomination"), ("sensitive_tags", "tags")):
                if before.get(key) != after.get(key):
                    changes[name] = {"before": before.get(key), "after": after.get(key)}
        payloads[i] = {**payloads[i], "changes": changes}
    return payloads


def redact(event: RecordedEvent, payload: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """The payload with a household's sensitive tags and denomination left out, unless ``allowed``: no marker where
    they were, no key that only some households have, so that what is hidden cannot be told from what is not."""
    match event.payload:
        case DirectoryEntryAdded(kind=EntryKind.HOUSEHOLD, entry_id=hid) if hid not in allowed:
            data = {k: v for k, v in payload["data"].items() if k != "denomination"}
            data["tags"] = visible_tags(data.get("tags") or [], sensitive=False)
            return {**payload, "data": data}
        case DirectoryEntryChanged(kind=EntryKind.HOUSEHOLD, entry_id=hid) if hid not in allowed:
            changes = {
                k: v for k, v in payload["changes"].items() if k not in ("tags", "denomination", "sensitive_tags")
            }
            tags = payload["changes"].get("tags")
            if tags is not None:
                before = visible_tags(tags.get("before") or [], sensitive=False)
                after = visible_tags(tags.get("after") or [], sensitive=False)
                if before != after:
                    changes["tags"] = {"before": before, "after": after}
            return {**payload, "changes": changes}
    return payload
