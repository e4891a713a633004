"""The events of phancong's domain (DOMAIN.md, "Events"); ``events.catalog`` registers them with the store.

``AnyEvent`` is the discriminated union the workflows use to carry events through Temporal.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.event import DomainEvent
from domain.events.account import ACCOUNT_EVENTS, AccountEvent
from domain.events.assignment import ASSIGNMENT_EVENTS, AssignmentEvent
from domain.events.directive import DIRECTIVE_EVENTS, DirectiveEvent
from domain.events.directory import DIRECTORY_EVENTS, DirectoryEvent
from domain.events.notification import NOTIFICATION_EVENTS, NotificationEvent

AnyEvent = Annotated[
    AssignmentEvent | DirectiveEvent | DirectoryEvent | NotificationEvent | AccountEvent, Field(discriminator="type")
]

CATALOG: tuple[type[DomainEvent], ...] = (
    *ASSIGNMENT_EVENTS,
    *DIRECTIVE_EVENTS,
    *DIRECTORY_EVENTS,
    *NOTIFICATION_EVENTS,
    *ACCOUNT_EVENTS,
)

__all__ = ["CATALOG", "AnyEvent"]
