"""On the real dev server: a worker process killed right after a send, and the daily digest's Schedule."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

import worker
from app.directives import NominationRequest
from directory.repository import DirectoryRepository
from domain import ids
from domain.assignment import stream_of
from domain.events.notification import DeliveryAttempted, NotificationDelivered
from events import EventStore
from infra.postgres import Pool
from phancong.composition import import_directory
from projections.catalog import all_projections
from projections.runner import Projector
from tests.cli import PHANCONG, clean_env
from tests.notifications.conftest import SECRET, delivery_settings, directory_of, write_yaml
from tests.notifications.servers import Request, SmtpServer, WebhookServer
from tests.notifications.test_delivery import signed
from tests.workflows.directive_driver import EXAMPLES, HAM_LUONG, issue
from tests.workflows.driver import HQ, Harness
from tests.workflows.test_worker_process import request, wait_for
from workflows.assignment import AssignmentWorkflow
from workflows.delivery import DigestWorkflow


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([PHANCONG, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def status_of(pool: Pool, notification_id: uuid.UUID) -> str | None:
    status: str | None = await pool.fetchval(
        "SELECT status FROM notifications WHERE notification_id = $1", notification_id
    )
    return status


async def test_a_worker_killed_right_after_sending_sends_again_with_the_same_idempotency_key(
    dev_env: WorkflowEnvironment,
    database_url: str,
    domain_store: EventStore,
    pool: Pool,
    webhook: WebhookServer,
    tmp_path: Path,
) -> None:
    """phancong delivers at least once: the receiver gets the repeat under the same key and body, and can
    drop it; phancong's own record says one failed attempt (the crash) and one delivery."""
    client = dev_env.client
    task_queue = f"crash-{uuid.uuid4()}"
    directory = directory_of(webhook)
    directory["communes"][0]["contact"] = {"webhook": f"{webhook.url}/commune"}
    await import_directory(
        pool, domain_store, write_yaml(tmp_path / "directory.yaml", directory), HQ, datetime.now(UTC)
    )
    env = clean_env(
        PHANCONG_DATABASE_URL=database_url,
        PHANCONG_TEMPORAL_ADDRESS=client.service_client.config.target_host,
        PHANCONG_TASK_QUEUE=task_queue,
        PHANCONG_WEBHOOK_SECRET=SECRET,
        PHANCONG_DELIVERY_TIMEOUT_SECONDS="3",
        PHANCONG_DELIVERY_BACKOFF_SECONDS="1",
    )
    first = start_worker(env)
    second: subprocess.Popen[bytes] | None = None

    def kill_the_sender(req: Request) -> None:
        if len(webhook.requests) == 1:  # the send reached us: the worker dies before it hears the answer
            first.send_signal(signal.SIGKILL)
            first.wait()

    webhook.on_request = kill_the_sender
    assignment_id = f"681-CT/ĐU:DV-{uuid.uuid4().hex[:6]}:CB-AP-1"
    handle = await client.start_workflow(
        AssignmentWorkflow.run,
        request(assignment_id),
        id=ids.assignment_workflow_id(assignment_id),
        task_queue=task_queue,
    )
    nid = ids.notification_id(stream_of(assignment_id), "introduction", "commune:XA-TIEM-TOM")
    try:

        async def killed() -> bool:
            return first.poll() is not None

        await wait_for(killed)
        assert first.returncode == -signal.SIGKILL
        second = start_worker(env)

        async def delivered() -> bool:
            return await status_of(pool, nid) == "delivered"

        await wait_for(delivered)
    finally:
        await handle.terminate("test over")
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        await client.get_schedule_handle(worker.digest_schedule_id(task_queue)).delete()

    assert len(webhook.requests) == 2
    once, again = webhook.requests
    assert once.headers["idempotency-key"] == again.headers["idempotency-key"] == str(nid)
    assert once.body == again.body
    assert signed(once)
    assert signed(again)
    events = [e.payload for e in await domain_store.read_stream(f"notification-{nid}")]
    attempts = [e for e in events if isinstance(e, DeliveryAttempted)]
    assert [(e.attempt, e.succeeded) for e in attempts] == [(1, False), (2, True)]
    assert attempts[0].error is not None
    assert "timeout" in attempts[0].error.lower()
    assert isinstance(events[-1], NotificationDelivered)
    assert events[-1].attempts == 2


AUDITOR_EMAIL = "kiemtra@bdbp.example.vn"


def example_directory(webhook: WebhookServer) -> dict[str, Any]:
    """The example province with HQ, Hàm Luông's post on the test webhook and the communes' e-mail."""
    directory: dict[str, Any] = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
    for post in directory["posts"]:
        post["contact"] = {"webhook": f"{webhook.url}/{post['id']}"}
    directory["auditors"] = [{"id": "KIEM-TOAN", "name": "Ủy ban Kiểm tra", "contact": {"email": AUDITOR_EMAIL}}]
    return directory


async def run_digest(client: Client, schedule_id: str) -> int:
    """Trigger the Schedule now and wait for the digest it starts; returns how many digests it queued."""
    schedule = client.get_schedule_handle(schedule_id)
    before = len((await schedule.describe()).info.recent_actions)
    await schedule.trigger()
    for _ in range(100):
        actions = (await schedule.describe()).info.recent_actions
        if len(actions) > before:
            action = actions[-1].action
            assert isinstance(action, ScheduleActionExecutionStartWorkflow)
            queued: int = await client.get_workflow_handle(action.workflow_id).result()
            return queued
        await asyncio.sleep(0.1)
    raise AssertionError("the schedule did not start a digest")


async def test_the_daily_digest_runs_on_a_schedule_in_viet_nam_time_and_lists_each_officers_open_tasks(
    dev_env: WorkflowEnvironment,
    domain_store: EventStore,
    pool: Pool,
    smtp: SmtpServer,
    webhook: WebhookServer,
    tmp_path: Path,
) -> None:
    client = dev_env.client
    task_queue = f"digest-{uuid.uuid4()}"
    settings = delivery_settings(smtp, task_queue=task_queue, digest_time="07:00")
    schedule_id = worker.digest_schedule_id(task_queue)
    harness = Harness(dev_env, domain_store, pool, task_queue)
    assignment_id: str | None = None
    async with worker.running(client, task_queue, domain_store, pool, settings):
        try:
            await worker.ensure_digest_schedule(client, settings)
            await worker.ensure_digest_schedule(client, settings.model_copy(update={"digest_time": "06:30"}))
            described = await client.get_schedule_handle(schedule_id).describe()
            [calendar] = described.schedule.spec.calendars
            assert (calendar.hour[0].start, calendar.minute[0].start) == (6, 30)
            assert described.schedule.spec.time_zone_name == "Asia/Ho_Chi_Minh"
            action = described.schedule.action
            assert isinstance(action, ScheduleActionStartWorkflow)
            assert (action.workflow, action.task_queue) == (DigestWorkflow.__name__, task_queue)

            assert await run_digest(client, schedule_id) == 0  # nobody has anything to do: nothing is sent

            path = write_yaml(tmp_path / "directory.yaml", example_directory(webhook))
            directory = await import_directory(pool, domain_store, path, HQ, datetime.now(UTC))
            assert directory.added > 0
            d = await issue(harness, DirectoryRepository(pool))
            [assignment_id] = (
                await d.nominate(HAM_LUONG, NominationRequest(member_id="DV-HL-02", cell_id="CB-TT-AP1"))
            ).assignment_ids

            async def introduced() -> bool:
                return await domain_store.stream_version(stream_of(assignment_id)) >= 2

            await wait_for(introduced)
            await Projector(pool, domain_store, all_projections()).catch_up()

            queued = await run_digest(client, schedule_id)
            again = await run_digest(client, schedule_id)  # the same day: each officer's digest exists already

            async def sent() -> bool:
                statuses = await pool.fetch(
                    "SELECT status FROM notifications WHERE subject IN ('digest', 'seal_witness')"
                )
                return bool(statuses) and all(r["status"] == "delivered" for r in statuses)

            await wait_for(sent)
        finally:
            await client.get_schedule_handle(schedule_id).delete()
            for handle in harness.started:
                await handle.terminate("test over")
            if assignment_id is not None:
                await client.get_workflow_handle(ids.assignment_workflow_id(assignment_id)).terminate("test over")

    rows = await pool.fetch(
        "SELECT recipient_role, recipient_id, channel, message, due_on FROM notifications WHERE subject = 'digest' "
        "ORDER BY recipient_role, recipient_id"
    )
    assert (queued, again) == (len(rows), 0)
    assert [(r["recipient_role"], r["recipient_id"]) for r in rows] == [
        ("commune", "TT-TIEM-TOM"),
        ("post", "DBP-BA-TRI"),
        ("post", "DBP-HAM-LUONG"),
    ]
    [commune_mail] = [m for m in smtp.mails if m.message["Subject"].startswith("Việc cần làm")]
    assert commune_mail.recipients == ["vanphong@tiemtom.example.vn"]
    day = rows[0]["due_on"]  # the day the digest ran, Viet Nam time (the dev server runs on the real clock)
    assert commune_mail.message["Subject"] == f"Việc cần làm ngày {day:%d/%m/%Y}: 1 việc, 0 quá hạn"
    assert f"phancong commune accept {assignment_id} --as commune:TT-TIEM-TOM" in commune_mail.body
    [post_digest] = [
        r.json() for r in webhook.requests if r.path.endswith("/DBP-HAM-LUONG") and r.json()["subject"] == "digest"
    ]
    assert post_digest["message"]["subject"].startswith("Việc cần làm ngày ")
    assert [t["kind"] for t in post_digest["details"]["tasks"]] == ["nomination"]
    assert "phancong nominate --directive" in post_digest["message"]["body"]

    # The day's seal went to the auditors, outside the database: the hash `audit verify --expect-seal` checks.
    [witness] = [m for m in smtp.mails if m.recipients == [AUDITOR_EMAIL]]
    assert witness.message["Subject"] == f"Dấu niêm phong nhật ký ngày {day:%d/%m/%Y}"
    sealed_rows = await pool.fetch(
        "SELECT details ->> 'hash' AS hash FROM notifications WHERE subject = 'seal_witness'"
    )
    assert len(sealed_rows) == 1  # once a day, however often the digest runs
    witnessed_hash = sealed_rows[0]["hash"]
    assert f"phancong audit verify --expect-seal {witnessed_hash}" in witness.body
    assert await pool.fetchval("SELECT seal_no FROM log_seals WHERE hash = $1", bytes.fromhex(witnessed_hash)) >= 1
