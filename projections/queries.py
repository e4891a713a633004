"""The read models as the queries read them (``app.ports.ReadModels`` on PostgreSQL)."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

from asyncpg import Record
from pydantic import BaseModel

from domain.assignment import AssignmentState
from domain.directive import DirectiveState
from domain.errors import WrongStateError
from events.store import EventStore
from infra.postgres import Pool
from projections.catalog import all_projections
from projections.failures import Failure, failures
from projections.rebuild import RebuildResult, RebuildRunningError, rebuild
from projections.runner import Projector

_BY_ROLE = {"commune": "commune_id", "cell": "cell_id", "post": "post_id", "member": "member_id"}
S = TypeVar("S", bound=BaseModel)
_LISTED = ("directive_id", "post_id", "commune_id", "cell_id", "member_id", "stage")

# The stage an assignment's event moves it to: its stage as of a moment is that of its last such event then.
STAGE_OF = {
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


class _Decoded(Generic[S]):
    """States decoded from the read models, by id and version: a row's state changes only with its version, and
    decoding it is most of what reading many of them costs (an assignment's a tenth of a millisecond, a large
    directive's several). The least recently used go first past ``size``."""

    def __init__(self, model: type[S], size: int) -> None:
        self._model, self._size = model, size
        self._states: OrderedDict[str, tuple[int, S]] = OrderedDict()

    def stale(self, rows: Iterable[Record]) -> list[str]:
        return [r["id"] for r in rows if (found := self._states.get(r["id"])) is None or found[0] != r["version"]]

    def keep(self, rows: Iterable[Record]) -> None:
        for r in rows:
            self._states[r["id"]] = (r["version"], self._model.model_validate_json(r["state"]))
            self._states.move_to_end(r["id"])
        while len(self._states) > self._size:
            self._states.popitem(last=False)

    def get(self, ident: str) -> S:
        self._states.move_to_end(ident)
        return self._states[ident][1]


class PostgresReadModels:
    def __init__(self, pool: Pool, store: EventStore) -> None:
        self._pool = pool
        self._store = store
        self._assignments: _Decoded[AssignmentState] = _Decoded(AssignmentState, 20_000)
        self._directives: _Decoded[DirectiveState] = _Decoded(DirectiveState, 50)

    async def catch_up(self) -> None:
        """Apply every event committed before this call, so what a person just did is in what they read."""
        await Projector(self._pool, self._store, all_projections()).catch_up()

    async def open_assignments(self, role: str | None, unit: str | None) -> list[AssignmentState]:
        column = _BY_ROLE.get(role or "")
        where = f"AND {column} = $1" if column else ""
        args = (unit,) if column else ()
        rows = await self._pool.fetch(
            f"SELECT assignment_id AS id, version FROM rm_assignments WHERE stage <> 'ended' {where}", *args
        )
        stale = self._assignments.stale(rows)
        if stale:
            self._assignments.keep(
                await self._pool.fetch(
                    "SELECT assignment_id AS id, version, state FROM rm_assignments WHERE assignment_id = ANY($1)",
                    stale,
                )
            )
        return [self._assignments.get(r["id"]) for r in rows]

    async def open_directives(self) -> dict[str, DirectiveState]:
        rows = await self._pool.fetch("SELECT directive_id AS id, version FROM rm_directives WHERE status = 'open'")
        stale = self._directives.stale(rows)
        if stale:
            self._directives.keep(
                await self._pool.fetch(
                    "SELECT directive_id AS id, version, state FROM rm_directives WHERE directive_id = ANY($1)", stale
                )
            )
        return {r["id"]: self._directives.get(r["id"]) for r in rows}

    async def claimed_cells(self) -> set[tuple[str, str]]:
        rows = await self._pool.fetch("SELECT directive_id, cell_id FROM rm_assignments WHERE stage <> 'ended'")
        return {(r["directive_id"], r["cell_id"]) for r in rows}

    async def assignment_units(self, assignment_id: str) -> dict[str, set[str]] | None:
        row = await self._pool.fetchrow(
            "SELECT member_id, post_id, commune_id, cell_id, state ->> 'cell_id' AS asked FROM rm_assignments "
            "WHERE assignment_id = $1",
            assignment_id,
        )
        if row is None:
            return None
        return {
            "post": {row["post_id"]},
            "commune": {row["commune_id"]},
            "cell": {row["cell_id"], row["asked"]},
            "member": {row["member_id"]},
        }

    async def member_communes(self, member_id: str) -> set[str]:
        rows = await self._pool.fetch("SELECT DISTINCT commune_id FROM rm_assignments WHERE member_id = $1", member_id)
        return {r["commune_id"] for r in rows}

    async def directive_posts(self, code: str) -> set[str] | None:
        row = await self._pool.fetchrow(
            "SELECT ARRAY(SELECT p ->> 'id' FROM jsonb_array_elements(state -> 'directive' -> 'posts') p) AS posts "
            "FROM rm_directives WHERE directive_id = $1",
            code,
        )
        return None if row is None else set(row["posts"])

    async def sponsored_households(self, post_id: str) -> set[str]:
        rows = await self._pool.fetch("SELECT DISTINCT household_id FROM rm_households WHERE post_id = $1", post_id)
        return {r["household_id"] for r in rows}

    async def directive_record(self, code: str) -> tuple[DirectiveState, list[AssignmentState]] | None:
        row = await self._pool.fetchrow("SELECT state FROM rm_directives WHERE directive_id = $1", code)
        if row is None:
            return None
        rows = await self._pool.fetch("SELECT state FROM rm_assignments WHERE directive_id = $1", code)
        return (
            DirectiveState.model_validate_json(row["state"]),
            [AssignmentState.model_validate_json(r["state"]) for r in rows],
        )

    async def directive_stages(self, code: str, recorded_before: datetime | None) -> list[tuple[str, str | None]]:
        rows = await self._pool.fetch(
            """
            SELECT DISTINCT ON (stream_id) stream_id, event_type, cell_id FROM events
            WHERE directive_id = $1 AND stream_id LIKE 'assignment-%' AND event_type = ANY($2::text[])
              AND ($3::timestamptz IS NULL OR recorded_at < $3)
            ORDER BY stream_id, stream_version DESC
            """,
            code,
            list(STAGE_OF),
            recorded_before,
        )
        return [(STAGE_OF[r["event_type"]], r["cell_id"]) for r in rows]

    async def list_directives(self) -> list[dict[str, Any]]:
        rows = await self._pool.fetch(
            "SELECT directive_id, title, kind, status, simulated, updated_at FROM rm_directives "
            "ORDER BY updated_at DESC"
        )
        return [dict(r) | {"updated_at": r["updated_at"].isoformat()} for r in rows]

    async def list_assignments(
        self, filters: dict[str, str], *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        columns = [column for column in _LISTED if filters.get(column) is not None]
        values = [filters[column] for column in columns]
        conditions = [f"{column} = ${i}" for i, column in enumerate(columns, start=1)]
        if after is not None:
            values.append(after)
            conditions.append(f"assignment_id > ${len(values)}")
        rows = await self._pool.fetch(
            "SELECT assignment_id, directive_id, member_id, post_id, commune_id, cell_id, stage, end_reason "
            "FROM rm_assignments "
            f"WHERE {' AND '.join(conditions) or 'true'} ORDER BY assignment_id LIMIT ${len(values) + 1}",
            *values,
            limit,
        )
        return [dict(r) for r in rows]

    async def failures(self) -> list[Failure]:
        return await failures(self._pool)

    async def lag(self) -> tuple[int, int]:
        position = await Projector(self._pool, self._store, []).position()
        behind: int = await self._pool.fetchval(
            "SELECT count(*) FROM events WHERE global_position > $1 AND global_position < phancong_settled_position()",
            position,
        )
        return position, behind

    async def rebuild(self) -> RebuildResult:
        """Every read model made again from the log, then swapped in (the tables' owner's rights)."""
        try:
            return await rebuild(self._pool, self._store)
        except RebuildRunningError as busy:
            raise WrongStateError(str(busy)) from None

    async def accounts(self) -> list[dict[str, Any]]:
        rows = await self._pool.fetch("SELECT state FROM accounts ORDER BY account_id")
        return [json.loads(r["state"]) for r in rows]

    async def officers_with_assignments(self) -> set[tuple[str, str]]:
        """(role, id) of every commune, cell, post and member with an assignment not ended, and the posts of
        open directives: who may have tasks."""
        rows = await self._pool.fetch(
            "SELECT DISTINCT unnest(ARRAY['commune', 'cell', 'post', 'member']) AS role, "
            "unnest(ARRAY[commune_id, cell_id, post_id, member_id]) AS id FROM rm_assignments WHERE stage <> 'ended'"
        )
        posts = await self._pool.fetch(
            "SELECT DISTINCT jsonb_array_elements(state -> 'directive' -> 'posts') ->> 'id' AS id "
            "FROM rm_directives WHERE status = 'open'"
        )
        return {(r["role"], r["id"]) for r in rows} | {("post", r["id"]) for r in posts}
