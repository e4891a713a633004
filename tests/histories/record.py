"""Record real histories of every workflow for the replay tests: ``python -m tests.histories.record``.

Runs a few whole lives on the time-skipping server against a throwaway embedded PostgreSQL (deliveries go to
a real webhook server started here) and saves every run's history (continue-as-new makes several per life)
as JSON next to this file, named ``{workflow}-{scenario}-run{n}.json``, replacing that scenario's earlier
recording. Re-record only when a workflow change is *meant* to change histories, and guard running workflows
with ``workflow.patched``; before re-recording, rename the histories the old branch of the patch must keep
replaying (``...-{scenario}-before-{patch}-run{n}.json``): the recorder leaves other names alone. A workflow
replaced by a new type keeps its histories the same way (``delivery-...-before-v2-...``: LegacyDeliveryWorkflow).
Name scenarios to record only those: ``python -m tests.histories.record retried dead-then-retried``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
from temporalio.client import Client

import migrations
import worker
from activities.delivery import Deliveries, delivery_workflow_id
from app.directives import NominationRequest as N
from domain import ids
from domain.calendar import add_months
from domain.commands import AcceptAssignment, DeclineAssignment, PauseAssignment
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind, Attendance, Grade
from events import EventStore
from events.catalog import REGISTRY
from infra.postgres import create_pool
from phancong.composition import import_directory
from phancong.embedded import pgserver
from phancong.settings import Settings
from tests.notifications.conftest import directory_of, write_yaml
from tests.notifications.servers import WebhookServer, webhook_server
from tests.temporal import time_skipping
from tests.workflows.directive_driver import HAM_LUONG, issue, load_example_directory
from tests.workflows.driver import CELL_2, COMMUNE, HQ, POST, Assignment, Behaviour, Harness, live

HERE = Path(__file__).parent


async def twelve_months(h: Harness) -> Assignment:
    a = await h.start(term_months=12)
    await a.command(AcceptAssignment(actor=COMMUNE, cell_id="CB-AP-2"))
    await live(a, until=add_months(await h.today(), 13), behaviour=Behaviour(cell=CELL_2))
    return a


async def declined(h: Harness) -> Assignment:
    a = await h.start()
    await a.command(DeclineAssignment(actor=COMMUNE, reason="Chi bộ đang kiện toàn"))
    return a


async def silent_commune_then_pause(h: Harness) -> Assignment:
    a = await h.start(policy=DirectivePolicy(rotation_months=3))
    await h.advance(20)
    await a.command(AcceptAssignment(actor=COMMUNE))
    await a.command(
        PauseAssignment(actor=POST, reason="Huấn luyện", until=await h.today() + timedelta(days=30)),
    )
    await live(a, until=add_months(await h.today(), 5), behaviour=Behaviour())
    return a


async def replaced(h: Harness) -> Assignment:
    a = await h.start(kind=AssignmentKind.CELL_PARTICIPATION)
    await a.command(AcceptAssignment(actor=COMMUNE))
    grade: Callable[[str], Grade] = lambda p: Grade.NOT_COMPLETED if p.startswith("follow-up") else Grade.COMPLETED  # noqa: E731
    await live(
        a,
        until=add_months(await h.today(), 12),
        behaviour=Behaviour(attendance=lambda m: Attendance.ABSENT, grade=grade),
    )
    return a


async def directive_nominated_and_closed(h: Harness) -> Recorded:
    directory = await load_example_directory(h)
    d = await issue(h, directory)
    result = await d.nominate(HAM_LUONG, N(member_id="DV-HL-02", cell_id="CB-TT-AP1"))
    await h.advance(20)  # the other post's nomination falls overdue: reminders, an escalation
    await d.close("Tổng kết chỉ thị")
    await h.advance(1)
    assert result.assignment_ids
    return Recorded("directive", ids.directive_workflow_id(d.code), h.started[0].first_execution_run_id)


async def delivery_retried(h: Harness) -> Recorded:
    """A webhook that fails twice and then takes the introduction."""
    with webhook_server() as hook:
        hook.plan = {"/phancong/commune": [503, 502]}
        await _commune_on(h, hook)
        a = await h.start()
        await h.advance(1)
        assert len(hook.requests) == 3
    return _introduction(a)


async def delivery_dead_then_retried(h: Harness) -> Recorded:
    """A webhook that refuses for good: dead-lettered; HQ retries once it works."""
    with webhook_server() as hook:
        hook.always = 410
        await _commune_on(h, hook)
        a = await h.start()
        await h.advance(1)
        hook.always = 200
        notification = ids.notification_id(a.stream_id, "introduction", "commune:XA-TIEM-TOM")
        handle = h.env.client.get_workflow_handle(delivery_workflow_id(notification))
        dead = (await handle.describe()).run_id
        await Deliveries(h.env.client, 3, 30).start(notification, h.task_queue, retried_by=HQ)
        await h.advance(1)
        assert len(hook.requests) == 2
        retried = (await handle.describe()).run_id
    return Recorded("delivery", handle.id, dead, also=(retried,))


async def _commune_on(h: Harness, hook: WebhookServer) -> None:
    """The driver's directory, the commune's messages going to ``hook``."""
    directory = directory_of(hook)
    directory["communes"][0]["contact"] = {"webhook": f"{hook.url}/commune"}
    path = write_yaml(Path(tempfile.mkdtemp()) / "directory.yaml", directory)
    await import_directory(h.pool, h.store, path, HQ, await h.now())


def _introduction(a: Assignment) -> Recorded:
    notification = ids.notification_id(a.stream_id, "introduction", "commune:XA-TIEM-TOM")
    return Recorded("delivery", delivery_workflow_id(notification), None)


SCENARIOS: dict[str, Callable[[Harness], Awaitable[Assignment | Recorded]]] = {
    "twelve-months": twelve_months,
    "declined": declined,
    "silent-commune-then-pause": silent_commune_then_pause,
    "replaced": replaced,
    "nominated-and-closed": directive_nominated_and_closed,
    "retried": delivery_retried,
    "dead-then-retried": delivery_dead_then_retried,
}


@dataclass
class Recorded:
    workflow: str  # assignment | directive | delivery
    workflow_id: str
    first_run_id: str | None  # None: the latest run
    also: tuple[str, ...] = ()  # later executions under the same id (a retry), saved as further runs


async def save_runs(client: Client, recorded: Recorded, name: str) -> int:
    for old in HERE.glob(f"{recorded.workflow}-{name}-run*.json"):
        old.unlink()
    pending: list[str | None] = [recorded.first_run_id, *recorded.also]
    run = 0
    while pending:
        run += 1
        run_id = pending.pop(0)
        history = await client.get_workflow_handle(recorded.workflow_id, run_id=run_id).fetch_history()
        (HERE / f"{recorded.workflow}-{name}-run{run}.json").write_text(history.to_json())
        last = history.events[-1]
        if last.HasField("workflow_execution_continued_as_new_event_attributes"):
            pending.insert(0, last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id)
    return run


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = pgserver().get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            chosen = sys.argv[1:] or list(SCENARIOS)
            for name, scenario in ((n, SCENARIOS[n]) for n in chosen):
                database = f"record_{uuid.uuid4().hex[:8]}"
                conn = await asyncpg.connect(server.get_uri())
                await conn.execute(f"CREATE DATABASE {database}")
                await conn.close()
                url = server.get_uri(database)
                conn = await asyncpg.connect(url)
                await migrations.migrate(conn)
                await conn.close()
                pool = await create_pool(url)
                store = await EventStore.open(pool, REGISTRY)
                env = await time_skipping()
                queue = f"record-{uuid.uuid4()}"
                try:
                    async with worker.running(env.client, queue, store, pool, Settings(webhook_secret=None)):
                        harness = Harness(env, store, pool, queue)
                        done = await scenario(harness)
                        if isinstance(done, Assignment):
                            done = Recorded("assignment", done.handle.id, done.first_run_id)
                        runs = await save_runs(env.client, done, name)
                finally:
                    await env.shutdown()
                    await pool.close()
                print(f"{done.workflow}-{name}: {runs} run(s)")
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
