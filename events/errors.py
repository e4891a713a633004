"""Errors of the event store, each with a stable code."""

from __future__ import annotations

from uuid import UUID

from domain.errors import PhancongError


class EventStoreError(PhancongError):
    code = "event_store_error"


class ConcurrencyError(EventStoreError):
    """The stream is not at the version the writer expected; nothing was written."""

    code = "concurrency_conflict"

    def __init__(self, stream_id: str, expected_version: int, actual_version: int) -> None:
        super().__init__(f"stream {stream_id!r} is at version {actual_version}, not the expected {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class EventIdConflictError(EventStoreError):
    """An event id is already stored with different content: a retry must resend the same event."""

    code = "event_id_conflict"

    def __init__(self, event_id: UUID, stored_stream: str, stored_version: int) -> None:
        super().__init__(
            f"event {event_id} is already stored as {stored_stream}@{stored_version} with different content"
        )
        self.event_id = event_id


class UnknownEventTypeError(EventStoreError):
    code = "unknown_event_type"


class EventSchemaError(EventStoreError):
    """A stored event cannot be read as its current model (newer writer, or a missing upcaster)."""

    code = "event_schema_error"


class AppendOnlyError(EventStoreError):
    """The database refused to change or remove a stored event."""

    code = "events_append_only"
