"""One delivery attempt as one step: send to every target still waiting, record it, say what is left.

The delivery workflow runs one ``attempt_delivery`` activity per attempt and sleeps between them. The attempt
decides its targets from what the notification's stream already records (its current round: the events
after HQ's last retry), sends, then appends its ``DeliveryAttempted`` events, with ``NotificationDelivered``
or ``NotificationDeadLettered`` when the notification is settled, and updates the outbox row. A retried
activity finds its own events already there and sends nothing again; one that died between sending and
appending is recorded by its retry as a failed attempt, whose send may have gone through, and the next attempt
sends again after the backoff (delivery is at least once; receivers see the same idempotency key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from domain import ids
from domain.actors import SYSTEM, Actor
from domain.event import DomainEvent
from domain.events.notification import (
    DeliveryAttempted,
    NotificationDeadLettered,
    NotificationDelivered,
    NotificationRetried,
)
from events import ConcurrencyError, EventIdConflictError, EventStore, NewEvent
from infra.masking import masked
from notifications.channels import DeliveryError
from notifications.models import AttemptInput, AttemptOutcome, PreparedDelivery, Send, Target, attempted
from notifications.outbox import Outbox


def current_round(payloads: Sequence[DomainEvent]) -> list[DomainEvent]:
    """The events since HQ last retried the notification (all of them if it never did)."""
    starts = [i for i, p in enumerate(payloads) if isinstance(p, NotificationRetried)]
    return list(payloads[starts[-1] + 1 :]) if starts else list(payloads)


def outcome_of(round_: Sequence[DomainEvent]) -> AttemptOutcome | None:
    """How the round ended, if it has: delivered or dead-lettered."""
    for payload in round_:
        if isinstance(payload, NotificationDelivered):
            return AttemptOutcome(status="delivered", attempts=payload.attempts)
        if isinstance(payload, NotificationDeadLettered):
            return AttemptOutcome(status="dead", attempts=payload.attempts, error=payload.last_error)
    return None


def _tried(round_: Sequence[DomainEvent], *, succeeded: bool | None = None, permanent: bool | None = None) -> set[str]:
    return {
        f"{p.recipient}|{p.channel}|{p.address}"
        for p in round_
        if isinstance(p, DeliveryAttempted)
        and (succeeded is None or p.succeeded == succeeded)
        and (permanent is None or p.permanent == permanent)
    }


def _of(target: Target) -> str:
    """The target as its attempts record it (the address's secret parts masked)."""
    return f"{target.recipient}|{target.channel}|{masked(target.address)}"


def waiting_targets(targets: Sequence[Target], round_: Sequence[DomainEvent]) -> list[Target]:
    """The targets this round has neither delivered to nor been refused by for good."""
    settled = _tried(round_, succeeded=True) | _tried(round_, permanent=True)
    return [t for t in targets if _of(t) not in settled]


def settle(
    notification_id: str,
    attempt: int,
    *,
    max_attempts: int,
    targets: Sequence[Target],
    attempted: Sequence[DeliveryAttempted],
    round_: Sequence[DomainEvent],
) -> tuple[list[DomainEvent], AttemptOutcome]:
    """The events that close this attempt (none while it is worth trying again) and its outcome."""
    after = [*round_, *attempted]
    refused_by = _tried(after, permanent=True) - _tried(after, succeeded=True)
    refused = [t for t in targets if _of(t) in refused_by]
    failing = waiting_targets(targets, after)
    failures = [p.error for p in after if isinstance(p, DeliveryAttempted) and p.error]
    error = failures[-1] if failures else None
    if not refused and not failing:
        done = NotificationDelivered(notification_id=notification_id, targets=len(targets), attempts=attempt)
        return [done], AttemptOutcome(status="delivered", attempts=attempt)
    if failing and attempt < max_attempts:
        return [], AttemptOutcome(status="pending", attempts=attempt, error=error)
    dead = NotificationDeadLettered(
        notification_id=notification_id,
        attempts=attempt,
        undelivered=tuple(t.label for t in [*refused, *failing]),
        last_error=error or "no attempt",
    )
    return [dead], AttemptOutcome(status="dead", attempts=attempt, error=dead.last_error)


class Attempts:
    """Runs delivery attempts against the outbox, the channels and the notification's stream."""

    def __init__(self, outbox: Outbox, store: EventStore) -> None:
        self._outbox = outbox
        self._store = store

    async def attempt(
        self, request: AttemptInput, at: datetime, causation: str, *, resumed: bool = False
    ) -> AttemptOutcome:
        """Make attempt ``request.attempt``; ``resumed`` if an earlier execution of it stopped unrecorded."""
        nid = str(request.notification_id)
        stream = f"notification-{nid}"
        recorded = await self._store.read_stream(stream)
        version = recorded[-1].stream_version if recorded else 0
        payloads = [e.payload for e in recorded]
        opening: list[tuple[DomainEvent, Actor]] = []
        if request.retried_by is not None and payloads and isinstance(payloads[-1], NotificationDeadLettered):
            retried = NotificationRetried(notification_id=nid)
            opening.append((retried, request.retried_by))
            payloads.append(retried)
        round_ = current_round(payloads)
        already = [p for p in round_ if isinstance(p, DeliveryAttempted) and p.attempt == request.attempt]
        settled = outcome_of(round_)
        if settled is not None or already:  # a retried activity: this attempt is recorded
            return settled or AttemptOutcome(status="pending", attempts=request.attempt, error=already[-1].error)
        prepared = await self._outbox.prepare(request.notification_id)
        waiting = waiting_targets(prepared.targets, round_)
        failures: list[tuple[str, bool] | None]
        if resumed:  # the execution before this one stopped after (perhaps) sending: that was the attempt
            failures = [(self._lost(t, request.attempt), False) for t in waiting]
        else:
            failures = await self._send_all(prepared, waiting, request)
        tried = [
            attempted(nid, request.attempt, t, prepared.outgoing[t.language].idempotency_key, failure)
            for t, failure in zip(waiting, failures, strict=True)
        ]
        closing, outcome = settle(
            nid,
            request.attempt,
            max_attempts=request.max_attempts,
            targets=prepared.targets,
            attempted=tried,
            round_=round_,
        )
        written = [*opening, *((p, SYSTEM) for p in [*tried, *closing])]
        events: list[NewEvent[DomainEvent]] = [
            NewEvent(
                event_id=ids.event_id(stream, version + i),
                payload=payload,
                occurred_at=at,
                actor=actor,
                directive_id=prepared.notification.directive_id,
                causation_id=causation,
            )
            for i, (payload, actor) in enumerate(written, start=1)
        ]
        try:
            await self._store.append(stream, version, events)
        except (ConcurrencyError, EventIdConflictError):
            # Another run of this attempt (an activity that timed out but went on) recorded first: its word stands.
            return await self.attempt(request.model_copy(update={"retried_by": None}), at, causation, resumed=resumed)
        await self._outbox.record(request.notification_id, outcome.status, outcome.attempts, outcome.error)
        return outcome

    async def _send_all(
        self, prepared: PreparedDelivery, waiting: Sequence[Target], request: AttemptInput
    ) -> list[tuple[str, bool] | None]:
        return list(await asyncio.gather(*(self._send(prepared, t, request.timeout_seconds) for t in waiting)))

    @staticmethod
    def _lost(target: Target, attempt: int) -> str:
        return (
            f"{target.label}: attempt {attempt} stopped before it was recorded (a timeout or a lost worker); "
            "the message may have reached it"
        )

    async def _send(self, prepared: PreparedDelivery, target: Target, seconds: int) -> tuple[str, bool] | None:
        """None if the send went through, else (why, whether trying again is pointless)."""
        send = Send(target=target, outgoing=prepared.outgoing[target.language])
        try:
            async with asyncio.timeout(seconds):
                await self._outbox.send(send)
        except DeliveryError as exc:
            return str(exc), exc.permanent
        except TimeoutError:
            return f"{target.label}: no answer within {seconds} s", False
        except Exception as exc:  # any other failure of a send is a failed attempt, recorded too
            return f"{target.label}: {type(exc).__name__}: {exc}", False
        return None
