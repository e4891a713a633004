"""The events of phancong's domain (DOMAIN.md, "Events"), and the registry every store of phancong reads with.

``AnyEvent`` is the discriminated union the workflows use to carry events through Temporal.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from events.catalog.assignment import ASSIGNMENT_EVENTS, AssignmentEvent
from events.catalog.directive import DIRECTIVE_EVENTS, DirectiveEvent
from events.catalog.directory import DIRECTORY_EVENTS, DirectoryEvent
from events.catalog.notification import NOTIFICATION_EVENTS, NotificationEvent
from events.registry import EventRegistry

AnyEvent = Annotated[AssignmentEvent | DirectiveEvent | DirectoryEvent | NotificationEvent, Field(discriminator="type")]

REGISTRY = EventRegistry((*ASSIGNMENT_EVENTS, *DIRECTIVE_EVENTS, *DIRECTORY_EVENTS, *NOTIFICATION_EVENTS))

__all__ = ["REGISTRY", "AnyEvent"]
