"""What one delivery attempt records and decides, from the round it continues (pure: no servers)."""

from __future__ import annotations

from domain.event import DomainEvent
from domain.events.notification import (
    DeliveryAttempted,
    NotificationDeadLettered,
    NotificationDelivered,
    NotificationRetried,
)
from notifications.attempts import current_round, outcome_of, settle, waiting_targets
from notifications.models import Target, attempted

NID = "9a3a5aab-c868-5831-8f1e-000000000001"
HOOK = Target(recipient="post:DBP-HAM-LUONG", channel="webhook", address="https://don.example.vn/hook")
MAIL = Target(recipient="commune:XA-TIEM-TOM", channel="email", address="vanphong@tiemtom.example.vn")
TARGETS = [HOOK, MAIL]


def tried(target: Target, attempt: int, *, ok: bool, permanent: bool = False) -> DeliveryAttempted:
    failure = None if ok else (f"{target.label}: refused" if permanent else f"{target.label}: HTTP 503", permanent)
    return attempted(NID, attempt, target, NID, failure)


def test_every_target_taking_the_message_delivers_the_notification() -> None:
    attempted = [tried(HOOK, 1, ok=True), tried(MAIL, 1, ok=True)]

    closing, outcome = settle(NID, 1, max_attempts=4, targets=TARGETS, attempted=attempted, round_=[])

    assert closing == [NotificationDelivered(notification_id=NID, targets=2, attempts=1)]
    assert (outcome.status, outcome.attempts, outcome.error) == ("delivered", 1, None)


def test_a_failing_target_leaves_the_notification_pending_and_only_it_waiting_for_the_next_attempt() -> None:
    attempted = [tried(HOOK, 1, ok=False), tried(MAIL, 1, ok=True)]

    closing, outcome = settle(NID, 1, max_attempts=4, targets=TARGETS, attempted=attempted, round_=[])

    assert closing == []
    assert (outcome.status, outcome.error) == ("pending", f"{HOOK.label}: HTTP 503")
    assert waiting_targets(TARGETS, attempted) == [HOOK]


def test_the_next_attempt_delivering_the_rest_settles_with_every_target_counted() -> None:
    round_: list[DomainEvent] = [tried(HOOK, 1, ok=False), tried(MAIL, 1, ok=True)]

    closing, outcome = settle(
        NID, 2, max_attempts=4, targets=TARGETS, attempted=[tried(HOOK, 2, ok=True)], round_=round_
    )

    assert closing == [NotificationDelivered(notification_id=NID, targets=2, attempts=2)]
    assert outcome.status == "delivered"


def test_a_refusal_dead_letters_at_once_once_nothing_else_is_worth_trying() -> None:
    attempted = [tried(HOOK, 1, ok=True), tried(MAIL, 1, ok=False, permanent=True)]

    closing, outcome = settle(NID, 1, max_attempts=4, targets=TARGETS, attempted=attempted, round_=[])

    assert closing == [
        NotificationDeadLettered(
            notification_id=NID, attempts=1, undelivered=(MAIL.label,), last_error=f"{MAIL.label}: refused"
        )
    ]
    assert outcome.status == "dead"


def test_a_refusal_waits_for_the_failing_target_then_the_last_attempt_dead_letters_both() -> None:
    first = [tried(HOOK, 1, ok=False), tried(MAIL, 1, ok=False, permanent=True)]

    pending, still = settle(NID, 1, max_attempts=2, targets=TARGETS, attempted=first, round_=[])
    closing, outcome = settle(
        NID, 2, max_attempts=2, targets=TARGETS, attempted=[tried(HOOK, 2, ok=False)], round_=first
    )

    assert (pending, still.status) == ([], "pending")
    assert waiting_targets(TARGETS, first) == [HOOK]  # the refused address is not tried again
    assert closing == [
        NotificationDeadLettered(
            notification_id=NID, attempts=2, undelivered=(MAIL.label, HOOK.label), last_error=f"{HOOK.label}: HTTP 503"
        )
    ]
    assert outcome.status == "dead"


def test_hq_retrying_starts_a_new_round_in_which_every_target_waits_again() -> None:
    dead = NotificationDeadLettered(notification_id=NID, attempts=1, undelivered=(MAIL.label,), last_error="refused")
    history: list[DomainEvent] = [tried(HOOK, 1, ok=True), tried(MAIL, 1, ok=False, permanent=True), dead]

    assert outcome_of(current_round(history)) is not None
    assert current_round([*history, NotificationRetried(notification_id=NID)]) == []
    assert waiting_targets(TARGETS, current_round([*history, NotificationRetried(notification_id=NID)])) == TARGETS
