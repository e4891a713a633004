"""HQ lists dead letters and retries them with `phancong notifications`; wrong input changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.actors import Role
from domain.events.notification import (
    DeliveryAttempted,
    NotificationDeadLettered,
    NotificationDelivered,
    NotificationRetried,
)
from tests.cli import Result, clean_env, phancong
from tests.notifications.conftest import COMMUNE_EMAIL, Receivers
from tests.notifications.test_delivery import introduction_id, settled
from tests.workflows.driver import Harness


class Cli:
    def __init__(self, receivers: Receivers, database_url: str, tmp_path: Path) -> None:
        harness = receivers.harness
        self.harness = harness
        self.env = clean_env(
            PHANCONG_DATABASE_URL=database_url,
            PHANCONG_TEMPORAL_ADDRESS=harness.env.client.service_client.config.target_host,
            PHANCONG_TASK_QUEUE=harness.task_queue,
            PHANCONG_STATE_DIR=str(tmp_path / "state"),
        )

    async def run(self, *args: str) -> Result:
        return await asyncio.to_thread(phancong, "notifications", *args, env=self.env)

    async def ok(self, *args: str) -> Any:
        result = await self.run(*args, "--json")
        assert result.code == 0, result.stdout + result.stderr
        return result.json()

    async def refused(self, *args: str) -> str:
        result = await self.run(*args)
        assert result.code == 1, result.stdout + result.stderr
        [line] = result.stderr.strip().splitlines()
        return line[len("error[") : line.index("]")]


async def delivery_event_count(harness: Harness) -> int:
    count: int = await harness.pool.fetchval("SELECT count(*) FROM events WHERE stream_id LIKE 'notification-%'")
    return count


async def test_hq_lists_a_dead_letter_and_retries_it_once_the_mailbox_works(
    receivers: Receivers, database_url: str, tmp_path: Path
) -> None:
    harness = receivers.harness
    cli = Cli(receivers, database_url, tmp_path)
    receivers.smtp.refuse.add(COMMUNE_EMAIL)
    a = await harness.start()
    nid = introduction_id(a)
    await settled(harness, a.assignment_id, count=1)

    dead = await cli.ok("list", "--status", "dead", "--as", "hq")
    assert [(d["notification_id"], d["recipient_role"], d["recipient_id"], d["channel"]) for d in dead] == [
        (nid, "commune", "XA-TIEM-TOM", "email")
    ]
    assert "550" in dead[0]["last_error"]
    table = await cli.run("list", "--status", "dead", "--as", "auditor")
    assert table.code == 0
    assert nid in table.stdout
    assert "last error: smtp" in table.stdout

    before = await delivery_event_count(harness)
    refusals = [
        await cli.refused("retry", nid, "--as", "post:DBP-HAM-LUONG"),
        await cli.refused("retry", nid),
        await cli.refused("retry", "not-an-id", "--as", "hq"),
        await cli.refused("retry", str(uuid.uuid4()), "--as", "hq"),
        await cli.refused("list", "--status", "lost", "--as", "hq"),
        await cli.refused("list", "--as", "commune:XA-TIEM-TOM"),
    ]
    assert refusals == ["forbidden", "invalid_actor", "invalid_input", "not_found", "invalid_input", "forbidden"]
    assert await delivery_event_count(harness) == before
    assert receivers.smtp.mails == []

    receivers.smtp.refuse.clear()
    retried = await cli.ok("retry", nid, "--as", "hq")
    assert retried == {"notification_id": nid, "status": "pending"}
    for _ in range(100):
        if (
            await harness.pool.fetchval("SELECT status FROM notifications WHERE notification_id = $1", uuid.UUID(nid))
            == "delivered"
        ):
            break
        await harness.env.sleep(timedelta(seconds=1))
    [mail] = receivers.smtp.mails
    assert mail.recipients == [COMMUNE_EMAIL]
    assert mail.message["Message-ID"] == f"<{nid}@phancong>"

    events = await harness.store.read_stream(f"notification-{nid}")
    payloads = [e.payload for e in events]
    assert [type(p).__name__ for p in payloads] == [
        "DeliveryAttempted",
        "NotificationDeadLettered",
        "NotificationRetried",
        "DeliveryAttempted",
        "NotificationDelivered",
    ]
    first, _, _, second, delivered = payloads
    assert isinstance(first, DeliveryAttempted)
    assert isinstance(second, DeliveryAttempted)
    assert isinstance(payloads[1], NotificationDeadLettered)
    assert isinstance(payloads[2], NotificationRetried)
    assert isinstance(delivered, NotificationDelivered)
    assert (first.succeeded, first.permanent, second.succeeded) == (False, True, True)
    assert events[2].actor.role == Role.HQ
    assert [e.stream_version for e in events] == [1, 2, 3, 4, 5]

    assert await cli.refused("retry", nid, "--as", "hq") == "wrong_state"
    listed = await cli.ok("list", "--recipient", "commune:XA-TIEM-TOM", "--as", "hq")
    assert [(d["notification_id"], d["status"], d["attempts"]) for d in listed] == [(nid, "delivered", 1)]
