"""The events of phancong's domain (DOMAIN.md, "Events"), and the registry every store of phancong reads with.

``AnyEvent`` is the discriminated union the workflows use to carry events through Temporal.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from events.catalog.assignment import ASSIGNMENT_EVENTS, AssignmentEvent
from events.registry import EventRegistry

AnyEvent = Annotated[AssignmentEvent, Field(discriminator="type")]

REGISTRY = EventRegistry(ASSIGNMENT_EVENTS)

__all__ = ["REGISTRY", "AnyEvent"]
