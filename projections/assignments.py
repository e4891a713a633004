"""rm_assignments and rm_directives: the fold of every assignment and directive stream."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from domain.assignment import AssignmentState, apply
from domain.directive import DirectiveState
from domain.directive_fold import apply_directive
from events import RecordedEvent


class AssignmentProjection:
    name = "assignments"
    tables: tuple[str, ...] = ("rm_assignments",)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        mine = [e for e in events if e.stream_id.startswith("assignment-")]
        if not mine:
            return
        ids = sorted({e.stream_id.removeprefix("assignment-") for e in mine})
        rows = await conn.fetch("SELECT assignment_id, state FROM rm_assignments WHERE assignment_id = ANY($1)", ids)
        states: dict[str, AssignmentState | None] = {
            r["assignment_id"]: AssignmentState.model_validate_json(r["state"]) for r in rows
        }
        last: dict[str, RecordedEvent] = {}
        for event in mine:
            assignment_id = event.stream_id.removeprefix("assignment-")
            state = states.get(assignment_id)
            if state is not None and event.stream_version <= state.version:
                continue  # already folded (a rebuild over a table that holds it)
            states[assignment_id] = apply(state, event.payload)
            last[assignment_id] = event
        await conn.executemany(
            """
            INSERT INTO rm_assignments (assignment_id, directive_id, kind, member_id, post_id, commune_id, cell_id,
                                        stage, end_reason, simulated, state, version, position, updated_at,
                                        joined_on, ended_on, household_ids)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17)
            ON CONFLICT (assignment_id) DO UPDATE SET
                cell_id = EXCLUDED.cell_id, stage = EXCLUDED.stage, end_reason = EXCLUDED.end_reason,
                state = EXCLUDED.state, version = EXCLUDED.version, position = EXCLUDED.position,
                updated_at = EXCLUDED.updated_at, joined_on = EXCLUDED.joined_on, ended_on = EXCLUDED.ended_on,
                household_ids = EXCLUDED.household_ids
            """,
            [_row(states[i], last[i]) for i in last if states[i] is not None],
        )


def _row(state: AssignmentState | None, event: RecordedEvent) -> tuple[object, ...]:
    assert state is not None
    return (
        state.assignment_id,
        state.directive_id,
        state.kind.value,
        state.member_id,
        state.post_id,
        state.commune_id,
        state.serving_cell_id,
        state.stage.value,
        state.end_reason.value if state.end_reason else None,
        state.simulated,
        state.model_dump_json(),
        state.version,
        event.global_position,
        event.recorded_at,
        state.joined_on,
        state.ended_on,
        list(state.household_ids),
    )


class DirectiveProjection:
    name = "directives"
    tables: tuple[str, ...] = ("rm_directives",)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        mine = [e for e in events if e.stream_id.startswith("directive-")]
        if not mine:
            return
        ids = sorted({e.stream_id.removeprefix("directive-") for e in mine})
        rows = await conn.fetch("SELECT directive_id, state FROM rm_directives WHERE directive_id = ANY($1)", ids)
        states: dict[str, DirectiveState | None] = {
            r["directive_id"]: DirectiveState.model_validate_json(r["state"]) for r in rows
        }
        touched: dict[str, tuple[int, datetime]] = {}
        for event in mine:
            code = event.stream_id.removeprefix("directive-")
            state = states.get(code)
            if state is not None and event.stream_version <= state.version:
                continue
            states[code] = apply_directive(state, event.payload)
            touched[code] = (event.global_position, event.recorded_at)
        await conn.executemany(
            """
            INSERT INTO rm_directives (directive_id, title, kind, status, simulated, state, version, position,
                                       updated_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)
            ON CONFLICT (directive_id) DO UPDATE SET
                title = EXCLUDED.title, status = EXCLUDED.status, state = EXCLUDED.state,
                version = EXCLUDED.version, position = EXCLUDED.position, updated_at = EXCLUDED.updated_at
            """,
            [
                (
                    code,
                    s.directive.title,
                    s.directive.kind.value,
                    "open" if s.open else "closed",
                    s.directive.simulated,
                    s.model_dump_json(),
                    s.version,
                    position,
                    at,
                )
                for code, (position, at) in touched.items()
                if (s := states[code]) is not None
            ],
        )
