"""`phancong simulate`: a generated province lives through a directive, writing real, marked events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.actors import Actor, Role
from domain.assignment import AssignmentState, fold
from domain.context import CellRef
from domain.directive import CellInScope, PostInScope
from domain.events.directive import DirectiveIssued
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind
from events import EventStore, NewEvent
from infra.postgres import Pool
from simulation.runner import RealDirectivesError, Simulation, SimulationSettings, refuse_real_data
from tests.cli import clean_env, phancong


async def test_a_simulated_directive_lives_through_its_term_with_realistic_behaviour(
    env: WorkflowEnvironment, domain_store: EventStore, pool: Pool
) -> None:
    settings = SimulationSettings(communes=4, cells=10, members=12, months=7, seed=3)

    report = await Simulation(pool, domain_store, settings, env).run()

    counts = report.events_by_type
    assert report.assignments >= 10
    assert counts["MemberNominated"] == counts["NominationAccepted"] == report.assignments
    assert counts["MeetingRecorded"] > 40
    assert counts["ReviewRequested"] >= 10
    assert counts["MemberGraded"] >= 10
    assert counts["ReminderSent"] > 0
    assert counts.get("Escalated", 0) + counts.get("CoverageGapEscalated", 0) > 0  # someone was late
    assert counts["PeriodSummarized"] >= 1
    assert counts["DirectiveClosed"] == 1
    assert report.figures["ended_term_completed"] >= 1
    assert sum(report.grades.values()) == counts["MemberGraded"]
    marked = await pool.fetchval(
        "SELECT bool_and((payload ->> 'simulated')::boolean) FROM events "
        "WHERE directive_id = $1 AND event_type IN ('DirectiveIssued', 'MemberNominated')",
        report.directive_id,
    )
    assert marked is True
    assert await domain_store.verify() == []
    rows = await pool.fetch(
        "SELECT assignment_id, state FROM rm_assignments WHERE directive_id = $1", report.directive_id
    )
    for row in rows:
        events = await domain_store.read_stream(f"assignment-{row['assignment_id']}")
        assert fold(e.payload for e in events) == AssignmentState.model_validate_json(row["state"])


async def real_directive(store: EventStore) -> None:
    """A directive HQ really issued (not a simulation)."""
    issued = DirectiveIssued(
        directive_id="681-CT/ĐU",
        title="Thật",
        issuing_body="Đảng ủy BĐBP tỉnh",
        issued_on=date(2026, 11, 1),
        kind=AssignmentKind.CELL_PARTICIPATION,
        term_starts_on=date(2026, 12, 1),
        term_ends_on=date(2027, 12, 1),
        policy=DirectivePolicy(),
        cells=(CellInScope(id="C", commune_id="X", meeting_day=15),),
        posts=(PostInScope(id="P", commune_ids=("X",)),),
        commune_cells=(CellRef(id="C", commune_id="X", meeting_day=15),),
        content_hash="0" * 64,
    )
    await store.append(
        "directive-681-CT/ĐU", 0, [NewEvent(payload=issued, occurred_at=datetime.now(UTC), actor=Actor(role=Role.HQ))]
    )


async def test_simulate_refuses_a_database_with_real_directives_unless_forced(
    domain_store: EventStore, pool: Pool, database_url: str, tmp_path: Path
) -> None:
    await refuse_real_data(pool)  # an empty database is fine
    await real_directive(domain_store)
    before = await pool.fetchval("SELECT count(*) FROM events")

    with pytest.raises(RealDirectivesError):
        await refuse_real_data(pool)
    env = clean_env(PHANCONG_DATABASE_URL=database_url, PHANCONG_STATE_DIR=str(tmp_path))
    refused = phancong("simulate", "--communes", "1", "--cells", "2", "--members", "2", "--months", "1", env=env)
    assert refused.code == 1
    assert refused.stderr.startswith("error[real_directives_present]")
    assert await pool.fetchval("SELECT count(*) FROM events") == before

    forced = phancong(
        "simulate", "--communes", "1", "--cells", "2", "--members", "2", "--months", "1", "--force", "--json", env=env
    )
    assert forced.code == 0, forced.stderr
    assert forced.json()["assignments"] == 2
