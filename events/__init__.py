"""The event store: envelopes, the registry of event types, integrity hashes, seals, the PostgreSQL store.

Generic: it stores the domain's events (``domain.event.DomainEvent``) and knows nothing of what they mean.
"""

from events.envelope import AppendResult, NewEvent, RecordedEvent
from events.errors import (
    AppendOnlyError,
    ConcurrencyError,
    EventIdConflictError,
    EventSchemaError,
    EventStoreError,
    UnknownEventTypeError,
)
from events.integrity import IntegrityProblem
from events.registry import EventRegistry
from events.store import EventStore

__all__ = [
    "AppendOnlyError",
    "AppendResult",
    "ConcurrencyError",
    "EventIdConflictError",
    "EventRegistry",
    "EventSchemaError",
    "EventStore",
    "EventStoreError",
    "IntegrityProblem",
    "NewEvent",
    "RecordedEvent",
    "UnknownEventTypeError",
]
