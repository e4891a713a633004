"""The events of phancong's domain (DOMAIN.md, "Events"): every step of the programme, in the past tense."""

from __future__ import annotations

from events.registry import EventRegistry

REGISTRY = EventRegistry()
