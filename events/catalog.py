"""The registry every store of phancong reads and writes with: the domain's events (``domain.events``)."""

from __future__ import annotations

from domain.events import CATALOG
from events.registry import EventRegistry

REGISTRY = EventRegistry(CATALOG)

__all__ = ["REGISTRY"]
