"""Record real histories of AssignmentWorkflow for the replay tests: ``python -m tests.histories.record``.

Runs a few whole lives on the time-skipping server against a throwaway embedded PostgreSQL and saves every
run's history (continue-as-new makes several per life) as JSON next to this file. Re-record only when a
workflow change is *meant* to change histories, and guard running workflows with ``workflow.patched``.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import asyncpg

import migrations
import worker
from domain.calendar import add_months
from domain.commands import AcceptAssignment, DeclineAssignment, PauseAssignment
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind, Attendance, Grade
from events import EventStore
from events.catalog import REGISTRY
from phancong.database import create_pool
from phancong.embedded import pgserver
from tests.temporal import time_skipping
from tests.workflows.driver import CELL_2, COMMUNE, POST, Assignment, Behaviour, Harness, live
from workflows.assignment import AssignmentWorkflow

HERE = Path(__file__).parent


async def twelve_months(h: Harness) -> Assignment:
    a = await h.start(term_months=12)
    await a.command(AssignmentWorkflow.accept, AcceptAssignment(actor=COMMUNE, cell_id="CB-AP-2"))
    await live(a, until=add_months(await h.today(), 13), behaviour=Behaviour(cell=CELL_2))
    return a


async def declined(h: Harness) -> Assignment:
    a = await h.start()
    await a.command(AssignmentWorkflow.decline, DeclineAssignment(actor=COMMUNE, reason="Chi bộ đang kiện toàn"))
    return a


async def silent_commune_then_pause(h: Harness) -> Assignment:
    a = await h.start(policy=DirectivePolicy(rotation_months=3))
    await h.advance(20)
    await a.command(AssignmentWorkflow.accept, AcceptAssignment(actor=COMMUNE))
    await a.command(
        AssignmentWorkflow.pause,
        PauseAssignment(actor=POST, reason="Huấn luyện", until=await h.today() + timedelta(days=30)),
    )
    await live(a, until=add_months(await h.today(), 5), behaviour=Behaviour())
    return a


async def replaced(h: Harness) -> Assignment:
    a = await h.start(kind=AssignmentKind.CELL_PARTICIPATION)
    await a.command(AssignmentWorkflow.accept, AcceptAssignment(actor=COMMUNE))
    grade: Callable[[str], Grade] = lambda p: Grade.NOT_COMPLETED if p.startswith("follow-up") else Grade.COMPLETED  # noqa: E731
    await live(
        a,
        until=add_months(await h.today(), 12),
        behaviour=Behaviour(attendance=lambda m: Attendance.ABSENT, grade=grade),
    )
    return a


SCENARIOS: dict[str, Callable[[Harness], Awaitable[Assignment]]] = {
    "twelve-months": twelve_months,
    "declined": declined,
    "silent-commune-then-pause": silent_commune_then_pause,
    "replaced": replaced,
}


async def save_runs(a: Assignment, name: str) -> int:
    client = a.harness.env.client
    run_id: str | None = a.first_run_id
    run = 0
    while run_id:
        run += 1
        history = await client.get_workflow_handle(a.handle.id, run_id=run_id).fetch_history()
        (HERE / f"assignment-{name}-run{run}.json").write_text(history.to_json())
        last = history.events[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.HasField("workflow_execution_continued_as_new_event_attributes")
            else None
        )
    return run


async def main() -> None:
    for old in HERE.glob("assignment-*.json"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        server = pgserver().get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            conn = await asyncpg.connect(server.get_uri())
            await migrations.migrate(conn)
            await conn.close()
            pool = await create_pool(server.get_uri())
            store = await EventStore.open(pool, REGISTRY)
            try:
                for name, scenario in SCENARIOS.items():
                    env = await time_skipping()
                    queue = f"record-{uuid.uuid4()}"
                    async with worker.build_worker(env.client, queue, store, pool):
                        harness = Harness(env, store, pool, queue)
                        assignment = await scenario(harness)
                        runs = await save_runs(assignment, name)
                    await env.shutdown()
                    print(f"{name}: {runs} run(s)")
            finally:
                await pool.close()
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
