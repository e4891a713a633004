"""The history of a member, a cell, a directive or an assignment: the events with their actors and times, and
the state they fold into, as the record stood at any moment (``as_of``: recorded before it).

Who may read what follows the commands' scoping (a post reads its own members, the cells of its communes and
its directives; a commune its cells and the assignments in it; a cell and a member themselves; HQ and
auditors everything), and household tags that DOMAIN.md calls sensitive are shown only to HQ, auditors and
the post whose member sponsors the household.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from directory.model import SENSITIVE_TAGS
from directory.repository import DirectoryRepository
from domain.actors import Actor, Role
from domain.assignment import AssignmentState, FoldError, fold, stream_of
from domain.bounds import business_date
from domain.calendar import VIETNAM
from domain.directive import DirectiveState
from domain.directive_fold import fold_directive
from domain.errors import NotAllowedError, NotFoundError
from domain.events.directory import DirectoryEntryAdded, DirectoryEntryChanged, EntryKind
from events import EventStore, RecordedEvent
from infra.postgres import Pool


class Subject(StrEnum):
    MEMBER = "member"
    CELL = "cell"
    DIRECTIVE = "directive"
    ASSIGNMENT = "assignment"


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    stream_id: str
    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
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


class Histories:
    def __init__(self, pool: Pool, store: EventStore) -> None:
        self._pool = pool
        self._store = store
        self._directory = DirectoryRepository(pool)

    async def of(self, subject: Subject, subject_id: str, viewer: Actor, as_of: datetime | None = None) -> History:
        await self._may_read(subject, subject_id, viewer)
        match subject:
            case Subject.ASSIGNMENT:
                events = await self._store.history(stream_id=stream_of(subject_id), recorded_before=as_of)
            case Subject.DIRECTIVE:
                events = await self._store.history(stream_id=f"directive-{subject_id}", recorded_before=as_of)
            case Subject.MEMBER:
                events = await self._store.history(member_id=subject_id, recorded_before=as_of)
            case Subject.CELL:
                events = await self._store.history(cell_id=subject_id, recorded_before=as_of)
        if not events:
            when = f" before {as_of.isoformat()}" if as_of else ""
            raise NotFoundError(f"no events of {subject.value} {subject_id}{when}")
        allowed = await self._sponsored_households(viewer)
        entries = [self._entry(e, allowed) for e in events]
        try:
            state = await self._state(subject, subject_id, events, as_of)
        except FoldError as broken:  # a stored event the fold cannot follow: the timeline is still shown
            state = {"error": f"the events do not fold into a state: {broken}"}
        return History(subject=subject, subject_id=subject_id, as_of=as_of, entries=entries, state=state)

    async def _may_read(self, subject: Subject, subject_id: str, viewer: Actor) -> None:
        if viewer.role in (Role.HQ, Role.AUDITOR):
            return
        ok = False
        if subject == Subject.ASSIGNMENT:
            row = await self._pool.fetchrow(
                "SELECT member_id, post_id, commune_id, cell_id, state ->> 'cell_id' AS asked FROM rm_assignments "
                "WHERE assignment_id = $1",
                subject_id,
            )
            if row is None:
                raise NotFoundError(f"no assignment {subject_id}")
            mine = {
                Role.POST: {row["post_id"]},
                Role.COMMUNE: {row["commune_id"]},
                Role.CELL: {row["cell_id"], row["asked"]},
                Role.MEMBER: {row["member_id"]},
            }
            ok = viewer.id in mine.get(viewer.role, set())
        elif subject == Subject.MEMBER:
            member = await self._directory.member(subject_id)
            ok = (viewer.role == Role.MEMBER and viewer.id == subject_id) or (
                viewer.role == Role.POST and member is not None and member.post == viewer.id
            )
        elif subject == Subject.CELL:
            cell = await self._directory.cell(subject_id)
            communes = await self._communes_of(viewer)
            ok = (viewer.role == Role.CELL and viewer.id == subject_id) or (
                cell is not None and cell.commune in communes
            )
        elif subject == Subject.DIRECTIVE and viewer.role == Role.POST:
            ok = bool(
                await self._pool.fetchval(
                    "SELECT 1 FROM rm_directives WHERE directive_id = $1 "
                    "AND state -> 'directive' -> 'posts' @> jsonb_build_array(jsonb_build_object('id', $2::text))",
                    subject_id,
                    viewer.id,
                )
            )
        if not ok:
            raise NotAllowedError(f"{viewer} may not read the history of {subject.value} {subject_id}")

    async def _communes_of(self, viewer: Actor) -> set[str]:
        if viewer.role == Role.COMMUNE and viewer.id:
            return {viewer.id}
        if viewer.role == Role.POST:
            posts = [p for p in await self._directory.posts() if p.id == viewer.id]
            return set(posts[0].communes) if posts else set()
        return set()

    async def _sponsored_households(self, viewer: Actor) -> set[str] | None:
        """Households whose sensitive tags ``viewer`` may see; None: all of them."""
        if viewer.role in (Role.HQ, Role.AUDITOR):
            return None
        if viewer.role != Role.POST:
            return set()
        rows = await self._pool.fetch("SELECT DISTINCT household_id FROM rm_households WHERE post_id = $1", viewer.id)
        return {r["household_id"] for r in rows}

    @staticmethod
    def _entry(e: RecordedEvent, allowed: set[str] | None) -> Entry:
        payload = e.payload.model_dump(mode="json")
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
            directive_id=e.directive_id,
            payload=payload,
        )

    async def _state(
        self, subject: Subject, subject_id: str, events: list[RecordedEvent], as_of: datetime | None
    ) -> dict[str, Any]:
        if subject == Subject.ASSIGNMENT:
            return _assignment_summary(fold(e.payload for e in events))
        if subject == Subject.DIRECTIVE:
            return await self._directive_summary(fold_directive(e.payload for e in events), as_of)
        streams = sorted({e.stream_id for e in events if e.stream_id.startswith("assignment-")})
        assignments = []
        for stream in streams:
            whole = await self._store.history(stream_id=stream, recorded_before=as_of)
            assignments.append(_assignment_summary(fold(e.payload for e in whole)))
        if subject == Subject.CELL:
            assignments = [a for a in assignments if subject_id in (a["cell_id"], a["asked_cell_id"])]
        return {"assignments": assignments}

    async def _directive_summary(self, state: DirectiveState | None, as_of: datetime | None) -> dict[str, Any]:
        if state is None:
            return {}
        d = state.directive
        # Each assignment's stage as of the moment: the last stage-changing event recorded before it.
        rows = await self._pool.fetch(
            """
            SELECT DISTINCT ON (stream_id) stream_id, event_type, cell_id FROM events
            WHERE directive_id = $1 AND stream_id LIKE 'assignment-%' AND event_type = ANY($2::text[])
              AND ($3::timestamptz IS NULL OR recorded_at < $3)
            ORDER BY stream_id, stream_version DESC
            """,
            d.code,
            list(_STAGE_OF),
            as_of,
        )
        stages = [(_STAGE_OF[r["event_type"]], r["cell_id"]) for r in rows]
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


_STAGE_OF = {
    "MemberNominated": "nominated",
    "IntroductionSent": "introduced",
    "CommuneAccepted": "received",
    "CellJoined": "active",
    "HouseholdsTakenInCharge": "active",
    "AssignmentPaused": "paused",
    "AssignmentResumed": "active",
    "CommuneDeclined": "ended",
    "AssignmentEnded": "ended",
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


def redact(event: RecordedEvent, payload: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """The payload with a household's sensitive tags (and denomination) removed, unless ``allowed``."""
    match event.payload:
        case DirectoryEntryAdded(kind=EntryKind.HOUSEHOLD, entry_id=hid) if hid not in allowed:
            data = dict(payload["data"])
            if any(t in SENSITIVE_TAGS for t in data.get("tags", [])) or data.get("denomination"):
                data["tags"] = [t for t in data.get("tags", []) if t not in SENSITIVE_TAGS] + ["(restricted)"]
                data.pop("denomination", None)
            return {**payload, "data": data}
        case DirectoryEntryChanged(kind=EntryKind.HOUSEHOLD, entry_id=hid) if hid not in allowed:
            changes = {k: v for k, v in payload["changes"].items() if k not in ("tags", "denomination")}
            if len(changes) != len(payload["changes"]):
                changes["tags"] = "(restricted)"
            return {**payload, "changes": changes}
    return payload
