"""Envelopes: a RecordedEvent built from stored columns is the same model as a validated one."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from events import RecordedEvent
from events.envelope import recorded_event, stored_actor
from tests.events.sample import SampleRecorded


def test_a_recorded_event_from_columns_equals_a_validated_one() -> None:
    values = {
        "global_position": 7_000_001,
        "event_id": uuid4(),
        "stream_id": "assignment-A",
        "stream_version": 1,
        "event_type": "SampleRecorded",
        "schema_version": 1,
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "recorded_at": datetime(2026, 1, 2, tzinfo=UTC),
        "actor": stored_actor("commune", "XA-TIEM-TOM"),
        "directive_id": "681-CT/ĐU",
        "causation_id": None,
        "member_id": "M-1",
        "cell_id": None,
        "payload": SampleRecorded(text="x"),
        "hash": "ab" * 32,
    }

    built = recorded_event(dict(values))
    validated = RecordedEvent.model_validate(values)

    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set
    assert built.actor.role.value == "commune"


def test_stored_actors_are_shared_immutable_instances() -> None:
    assert stored_actor("post", "DBP-1") is stored_actor("post", "DBP-1")
