"""Reminders reach people: real e-mail over STARTTLS, signed webhooks, retries, dead letters, escalations."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

import worker
from domain import ids
from domain.commands import AcceptAssignment
from domain.events.notification import DeliveryAttempted, NotificationDeadLettered, NotificationDelivered
from domain.policy import DirectivePolicy
from events import RecordedEvent
from notifications.attempts import Attempts
from notifications.models import AttemptInput
from notifications.outbox import Outbox
from tests.notifications.conftest import CELL_EMAIL, COMMUNE_EMAIL, HQ_EMAIL, SECRET, Receivers, delivery_settings
from tests.notifications.servers import SMTP_LOGIN, Request
from tests.workflows.driver import COMMUNE, Assignment, Harness


async def outbox(harness: Harness, assignment_id: str) -> list[dict[str, Any]]:
    rows = await harness.pool.fetch(
        "SELECT notification_id, notice_key, recipient_role, recipient_id, status, attempts, channel, address, "
        "last_error FROM notifications WHERE assignment_id = $1 ORDER BY created_at, notice_key",
        assignment_id,
    )
    return [dict(r) for r in rows]


async def settled(harness: Harness, assignment_id: str, count: int | None = None) -> list[dict[str, Any]]:
    """The assignment's notifications once none is pending any more (and ``count`` exist, if given)."""
    for _ in range(300):
        rows = await outbox(harness, assignment_id)
        if rows and all(r["status"] != "pending" for r in rows) and (count is None or len(rows) == count):
            return rows
        await harness.env.sleep(timedelta(seconds=5))
    raise AssertionError(f"deliveries did not settle: {await outbox(harness, assignment_id)}")


async def delivery_events(harness: Harness, notification_id: object) -> list[RecordedEvent]:
    return await harness.store.read_stream(f"notification-{notification_id}")


def introduction_id(a: Assignment) -> str:
    return str(ids.notification_id(a.stream_id, "introduction", "commune:XA-TIEM-TOM"))


def signed(request: Request) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["x-phancong-signature"], expected)


async def test_an_introduction_reaches_the_commune_by_email_over_starttls_in_vietnamese(
    receivers: Receivers,
) -> None:
    harness = receivers.harness
    a = await harness.start()
    [row] = await settled(harness, a.assignment_id, count=1)

    [mail] = receivers.smtp.mails
    state = await a.state()
    nid = introduction_id(a)
    assert str(row["notification_id"]) == nid
    assert (row["status"], row["attempts"], row["channel"], row["address"]) == ("delivered", 1, "email", COMMUNE_EMAIL)
    assert (mail.sender, mail.recipients, mail.login, mail.encrypted) == (
        "phancong@bdbp.example.vn",
        [COMMUNE_EMAIL],
        SMTP_LOGIN,
        True,
    )
    assert mail.message["Subject"] == (
        "Giới thiệu đảng viên Nguyễn Văn Một (DV-001) tham gia sinh hoạt tại Chi bộ ấp 1 (CB-AP-1)"
    )
    assert mail.message["Message-ID"] == f"<{nid}@phancong>"
    assert mail.message["X-Phancong-Idempotency-Key"] == nid
    assert mail.message["Content-Language"] == "vi"
    assert state.response_due_on is not None
    assert f"Hạn: {state.response_due_on:%d/%m/%Y}" in mail.body
    assert "Xã: Thị trấn Tiệm Tôm" in mail.body
    assert "Đồn: Đồn Biên phòng Hàm Luông" in mail.body
    assert f'phancong commune accept "{a.assignment_id}" --as commune:XA-TIEM-TOM' in mail.body

    events = await delivery_events(harness, nid)
    attempted, delivered = (e.payload for e in events)
    assert isinstance(attempted, DeliveryAttempted)
    assert isinstance(delivered, NotificationDelivered)
    assert (attempted.recipient, attempted.channel, attempted.address, attempted.succeeded) == (
        "commune:XA-TIEM-TOM",
        "email",
        COMMUNE_EMAIL,
        True,
    )
    assert attempted.idempotency_key == nid
    assert (delivered.targets, delivered.attempts) == (1, 1)
    assert all(e.directive_id == a.assignment_id.split(":")[0] for e in events)


async def test_an_escalation_reaches_every_hq_recipient_in_their_language_with_the_reminders_before_it(
    receivers: Receivers,
) -> None:
    harness = receivers.harness
    a = await harness.start(policy=DirectivePolicy(commune_response_days=20, reminder_days_before=(10, 5, 1)))
    await harness.advance(25)
    rows = await settled(harness, a.assignment_id, count=5)

    assert [(r["recipient_role"], r["status"]) for r in rows] == [("commune", "delivered")] * 4 + [("hq", "delivered")]
    assert [m.recipients for m in receivers.smtp.mails] == [[COMMUNE_EMAIL]] * 4 + [[HQ_EMAIL]]
    due = (await a.state()).response_due_on
    assert due is not None
    reminder_days = [due - timedelta(days=d) for d in (10, 5, 1)]
    reminders = [m for m in receivers.smtp.mails if m.message["Subject"].startswith("Nhắc việc")]
    assert [m.message["Subject"] for m in reminders] == [
        f"Nhắc việc: trả lời giới thiệu đảng viên Nguyễn Văn Một (DV-001) trước ngày {due:%d/%m/%Y}"
    ] * 3

    [hook] = receivers.webhook.requests
    body = hook.json()
    escalation = rows[-1]
    assert hook.path == "/phancong/hq"
    assert signed(hook)
    assert hook.headers["idempotency-key"] == str(escalation["notification_id"]) == body["idempotency_key"]
    assert hook.headers["content-type"] == "application/json; charset=utf-8"
    assert (body["escalation"], body["recipient"], body["assignment_id"]) == (
        True,
        {"role": "hq", "id": None},
        a.assignment_id,
    )
    assert [(r["key"], r["recipient"], r["queued_on"], r["status"]) for r in body["reminders_before"]] == [
        (f"commune-response:reminder:{d}", "commune:XA-TIEM-TOM", day.isoformat(), "delivered")
        for d, day in zip((10, 5, 1), reminder_days, strict=True)
    ]
    vietnamese = body["message"]
    assert vietnamese["language"] == "vi"
    assert vietnamese["subject"] == (
        f"Báo cáo quá hạn: trả lời giới thiệu đảng viên Nguyễn Văn Một (DV-001) trước ngày {due:%d/%m/%Y}"
    )
    assert "Đơn vị chịu trách nhiệm: commune:XA-TIEM-TOM." in vietnamese["body"]
    assert f"Quá hạn từ ngày {due + timedelta(days=1):%d/%m/%Y}." in vietnamese["body"]
    for day in reminder_days:
        assert f"- {day:%d/%m/%Y}: đã gửi tới commune:XA-TIEM-TOM (email)" in vietnamese["body"]

    english = receivers.smtp.mails[-1]
    assert english.message["Content-Language"] == "en"
    assert english.message["Subject"] == f"Overdue: answer the introduction of Nguyễn Văn Một (DV-001) by {due}"
    assert f"Overdue since {due + timedelta(days=1):%Y-%m-%d}." in english.body
    assert f"- {reminder_days[0].isoformat()}: delivered to commune:XA-TIEM-TOM (email)" in english.body

    events = [e.payload for e in await delivery_events(harness, escalation["notification_id"])]
    attempts = [e for e in events if isinstance(e, DeliveryAttempted)]
    assert sorted((e.recipient, e.channel, e.language, e.succeeded) for e in attempts) == [
        ("hq:HQ-CHINH-TRI", "email", "en", True),
        ("hq:HQ-TRUC-BAN", "webhook", "vi", True),
    ]
    assert isinstance(events[-1], NotificationDelivered)
    assert events[-1].targets == 2


async def test_a_webhook_that_fails_then_recovers_gets_the_message_once_after_backing_off(
    receivers: Receivers,
) -> None:
    harness = receivers.harness
    receivers.webhook.plan = {"/phancong/post": [503, 502]}
    a = await active_with_monthly_reviews(harness)
    nid = (await first_for(harness, a, "post"))["notification_id"]
    await settled(harness, a.assignment_id)

    to_post = [r for r in receivers.webhook.requests if r.path == "/phancong/post"]
    assert len(to_post) == 3
    assert {r.headers["idempotency-key"] for r in to_post} == {str(nid)}
    assert len({r.body for r in to_post}) == 1
    assert all(signed(r) for r in to_post)
    english = to_post[0].json()["message"]
    assert english["language"] == "en"
    assert english["subject"].startswith("Grade member Nguyễn Văn Một (DV-001) for ")
    assert "To do it: phancong grade" in english["body"]

    events = await delivery_events(harness, nid)
    attempts = [e for e in events if isinstance(e.payload, DeliveryAttempted)]
    tried = [e.payload for e in attempts if isinstance(e.payload, DeliveryAttempted)]
    outcomes = [(p.attempt, p.succeeded, p.error) for p in tried]
    assert outcomes == [
        (1, False, "webhook " + receivers.webhook.url + "/post: HTTP 503"),
        (2, False, "webhook " + receivers.webhook.url + "/post: HTTP 502"),
        (3, True, None),
    ]
    waits = [b.occurred_at - a_.occurred_at for a_, b in itertools.pairwise(attempts)]
    assert [round(w.total_seconds()) for w in waits] == [30, 60]  # the configured backoff, doubling
    delivered = events[-1].payload
    assert isinstance(delivered, NotificationDelivered)
    assert delivered.attempts == 3
    row = await harness.pool.fetchrow(
        "SELECT status, attempts, last_error FROM notifications WHERE notification_id = $1", nid
    )
    assert row is not None
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)


async def test_an_attempt_run_again_after_it_was_recorded_sends_nothing_and_records_nothing(
    receivers: Receivers,
) -> None:
    """What a retried attempt_delivery activity does when its first execution did record its attempt."""
    harness = receivers.harness
    receivers.webhook.plan = {"/phancong/post": [503]}
    a = await active_with_monthly_reviews(harness)
    nid = (await first_for(harness, a, "post"))["notification_id"]
    await settled(harness, a.assignment_id)
    sent = len(receivers.webhook.requests)
    before = await delivery_events(harness, nid)
    async with httpx.AsyncClient() as http:
        outbox = Outbox(harness.pool, harness.store, worker.channels_of(delivery_settings(receivers.smtp), http))
        attempts = Attempts(outbox, harness.store)
        for attempt in (1, 2):  # the failed attempt and the delivering one, both run again as if interrupted
            request = AttemptInput(notification_id=nid, attempt=attempt, max_attempts=4, timeout_seconds=5)
            outcome = await attempts.attempt(request, datetime.now(UTC), "test", resumed=True)
            assert (outcome.status, outcome.attempts) == ("delivered", 2)

    assert len(receivers.webhook.requests) == sent
    assert await delivery_events(harness, nid) == before


async def test_a_refused_address_is_dead_lettered_at_once_and_a_failing_one_after_the_last_attempt(
    receivers: Receivers,
) -> None:
    harness = receivers.harness
    receivers.smtp.refuse.add(COMMUNE_EMAIL)
    receivers.webhook.always = 500
    a = await active_with_monthly_reviews(harness)
    introduction = introduction_id(a)
    await first_for(harness, a, "post")
    rows = {str(r["notification_id"]): r for r in await settled(harness, a.assignment_id)}

    refused = rows[introduction]
    assert (refused["status"], refused["attempts"]) == ("dead", 1)
    assert "550" in refused["last_error"]
    assert "no such mailbox" in refused["last_error"]
    dead = [e.payload for e in await delivery_events(harness, introduction)]
    assert [type(e).__name__ for e in dead] == ["DeliveryAttempted", "NotificationDeadLettered"]
    assert isinstance(dead[0], DeliveryAttempted)
    assert dead[0].permanent
    assert isinstance(dead[1], NotificationDeadLettered)
    assert dead[1].undelivered == (COMMUNE_EMAIL,)

    to_post = [r for r in rows.values() if r["recipient_role"] == "post"]
    assert to_post
    for row in to_post:
        assert (row["status"], row["attempts"], row["channel"]) == ("dead", 4, "webhook")
        assert row["last_error"].endswith("HTTP 500")
        requests = [
            r for r in receivers.webhook.requests if r.headers["idempotency-key"] == str(row["notification_id"])
        ]
        assert len(requests) == 4
    cell = [r for r in rows.values() if r["recipient_role"] == "cell"]
    assert cell
    assert all((r["status"], r["address"]) == ("delivered", CELL_EMAIL) for r in cell)  # the other mailbox works


async def active_with_monthly_reviews(harness: Harness) -> Assignment:
    """An accepted assignment reviewed monthly: the cell appraises (e-mail), the post grades (webhook)."""
    policy = DirectivePolicy(review_period_months=1, interim_review_months=6)
    a = await harness.start(policy=policy)
    await a.command(AcceptAssignment(actor=COMMUNE))
    return a


async def first_for(harness: Harness, a: Assignment, role: str) -> dict[str, Any]:
    """Let days pass until the assignment has a notification for ``role``; returns it."""
    for _ in range(70):
        found = [r for r in await outbox(harness, a.assignment_id) if r["recipient_role"] == role]
        if found:
            return found[0]
        await harness.advance(1)
    raise AssertionError(f"no notification for {role} in 70 days")
