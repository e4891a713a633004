"""The event store: envelopes, event types, integrity hashes and the PostgreSQL store."""

from events.envelope import Actor, AppendResult, NewEvent, RecordedEvent, Role
from events.errors import (
    AppendOnlyError,
    ConcurrencyError,
    EventIdConflictError,
    EventSchemaError,
    EventStoreError,
    UnknownEventTypeError,
)
from events.integrity import IntegrityProblem
from events.registry import DomainEvent, EventRegistry
from events.store import EventStore

__all__ = [
    "Actor",
    "AppendOnlyError",
    "AppendResult",
    "ConcurrencyError",
    "DomainEvent",
    "EventIdConflictError",
    "EventRegistry",
    "EventSchemaError",
    "EventStore",
    "EventStoreError",
    "IntegrityProblem",
    "NewEvent",
    "RecordedEvent",
    "Role",
    "UnknownEventTypeError",
]
