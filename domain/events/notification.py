"""Events of one notification's delivery (stream ``notification-{id}``): every attempt and the outcome."""

from __future__ import annotations

from typing import Literal

from domain.event import DomainEvent


class DeliveryAttempted(DomainEvent):
    """One attempt to deliver to one target: which channel, where, whether the other side took it."""

    type: Literal["DeliveryAttempted"] = "DeliveryAttempted"
    notification_id: str
    attempt: int
    recipient: str  # role:id of the person or office the target belongs to
    channel: str  # webhook | email | console
    address: str | None = None
    language: str = "vi"
    succeeded: bool
    error: str | None = None
    permanent: bool = False  # the other side refused: trying again cannot help
    idempotency_key: str


class NotificationDelivered(DomainEvent):
    """Every target took the message (each exactly once, as far as phancong knows)."""

    type: Literal["NotificationDelivered"] = "NotificationDelivered"
    notification_id: str
    targets: int
    attempts: int


class NotificationDeadLettered(DomainEvent):
    """Attempts ran out or a target refused: HQ sees it in `phancong notifications list --status dead`."""

    type: Literal["NotificationDeadLettered"] = "NotificationDeadLettered"
    notification_id: str
    attempts: int
    undelivered: tuple[str, ...]  # the addresses (or channels) still without the message
    last_error: str


class NotificationRetried(DomainEvent):
    type: Literal["NotificationRetried"] = "NotificationRetried"
    notification_id: str


NOTIFICATION_EVENTS: tuple[type[DomainEvent], ...] = (
    DeliveryAttempted,
    NotificationDelivered,
    NotificationDeadLettered,
    NotificationRetried,
)

NotificationEvent = DeliveryAttempted | NotificationDelivered | NotificationDeadLettered | NotificationRetried
