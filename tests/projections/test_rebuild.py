"""`projections rebuild`: the whole log replayed into fresh tables equals what the projector kept, row by row."""

from __future__ import annotations

import asyncio
from datetime import date

from temporalio.testing import WorkflowEnvironment

from events import EventStore
from infra.postgres import Pool
from projections.catalog import all_projections
from projections.rebuild import rebuild
from projections.runner import Projector
from simulation import synthetic
from simulation.runner import Simulation, SimulationSettings
from tests.projections.tables import REPORT_TABLES, first_difference, index_names, snapshot


async def event_count(pool: Pool, event_type: str) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM events WHERE event_type = $1", event_type)
    return count


async def test_a_rebuild_from_the_log_equals_the_read_models_kept_while_a_directive_lived(
    env: WorkflowEnvironment, domain_store: EventStore, pool: Pool
) -> None:
    settings = SimulationSettings(communes=3, cells=8, members=10, months=5, seed=7)
    await Simulation(pool, domain_store, settings, env).run()  # it catches the read models up every day
    await Projector(pool, domain_store, all_projections()).catch_up()
    kept = await snapshot(pool)
    indexes = await index_names(pool)

    assert len(kept["rm_meetings"]) == await event_count(pool, "MeetingRecorded") > 0
    assert len(kept["rm_activities"]) == await event_count(pool, "ActivityLogged") > 0
    grades = [r for r in kept["rm_outcomes"] if r["kind"] == "grade"]
    assert len(grades) == await event_count(pool, "MemberGraded") > 0
    assert len(kept["rm_cells"]) == settings.cells
    assert {r["member_id"] for r in kept["rm_members"]} == {r["member_id"] for r in kept["rm_assignments"]}

    result = await rebuild(pool, domain_store, batch=97)  # odd batches: streams split across them
    rebuilt = await snapshot(pool)

    total: int = await pool.fetchval("SELECT count(*) FROM events")
    assert result.events == total
    for table in REPORT_TABLES:
        assert rebuilt[table] == kept[table], f"{table}: {first_difference(kept[table], rebuilt[table])}"
    assert await index_names(pool) == indexes
    assert await pool.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'phancong_rebuild'") == 0
    assert await Projector(pool, domain_store, all_projections()).position() == result.position


async def test_a_rebuild_while_the_projector_runs_and_writers_append_loses_and_doubles_nothing(
    domain_store: EventStore, pool: Pool
) -> None:
    province = synthetic.Province("SYN-1/ĐU", communes=4, cells_per_commune=3, starts_on=date(2026, 1, 1), months=6)
    await synthetic.write(domain_store, province, 20)
    stop = asyncio.Event()
    live = asyncio.create_task(Projector(pool, domain_store, all_projections()).run(stop, idle=0.01))
    writing = asyncio.create_task(synthetic.write(domain_store, province, 40, first=20, writers=2))
    first = await rebuild(pool, domain_store, batch=50)
    await writing
    last: int = await pool.fetchval("SELECT max(global_position) FROM events")
    async with asyncio.timeout(30):  # the live projector carries on past the rebuild to the last event
        while await Projector(pool, domain_store, all_projections()).position() < last:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    stop.set()
    await live
    await Projector(pool, domain_store, all_projections()).catch_up()
    kept = await snapshot(pool)

    assert first.events > 0
    assert len(kept["rm_assignments"]) == 60
    assert len(kept["rm_meetings"]) == await event_count(pool, "MeetingRecorded")
    assert len(kept["rm_outcomes"]) == sum(
        [await event_count(pool, t) for t in ("AppraisalSubmitted", "MemberGraded", "Commended", "AssignmentEnded")]
    )
    await rebuild(pool, domain_store)
    again = await snapshot(pool)
    for table in REPORT_TABLES:
        assert again[table] == kept[table], f"{table}: {first_difference(kept[table], again[table])}"
