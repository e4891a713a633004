"""Event types and upcasting (pure unit tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

import pytest
from pydantic import ValidationError

from domain.actors import Actor, Role
from domain.event import DomainEvent
from events import EventRegistry, EventSchemaError, NewEvent, UnknownEventTypeError
from tests.events.sample import OLD_REGISTRY, SAMPLE_REGISTRY, HouseholdVisited, SampleRecorded


def test_a_registered_event_is_decoded_by_its_stored_type_name() -> None:
    event = SAMPLE_REGISTRY.decode("SampleRecorded", 1, '{"text": "x", "amount_vnd": 5}')
    assert event == SampleRecorded(text="x", amount_vnd=5)


def test_the_stored_payload_leaves_out_the_discriminator() -> None:
    assert "type" not in SampleRecorded(text="x").stored_payload()


def test_an_older_payload_is_upcast_step_by_step() -> None:
    event = SAMPLE_REGISTRY.decode("HouseholdVisited", 1, '{"note": "HH-7: tuyên truyền"}')
    assert event == HouseholdVisited(household_id="HH-7", note="tuyên truyền")


def test_a_payload_from_newer_code_is_refused() -> None:
    with pytest.raises(EventSchemaError, match="newer"):
        OLD_REGISTRY.decode("HouseholdVisited", 2, '{"household_id": "HH-7", "note": "x"}')


def test_a_missing_upcaster_is_an_error_not_a_guess() -> None:
    registry = EventRegistry([HouseholdVisited])
    with pytest.raises(EventSchemaError, match="no upcaster"):
        registry.decode("HouseholdVisited", 1, '{"note": "HH-7: x"}')


def test_a_payload_that_does_not_fit_its_model_is_an_error() -> None:
    with pytest.raises(EventSchemaError):
        SAMPLE_REGISTRY.decode("SampleRecorded", 1, '{"amount_vnd": "nhiều"}')


def test_an_unknown_type_is_an_error() -> None:
    with pytest.raises(UnknownEventTypeError):
        SAMPLE_REGISTRY.decode("SomethingHappened", 1, "{}")


def test_an_event_without_its_literal_type_is_refused() -> None:
    class Nameless(DomainEvent):
        type: str = "Nameless"

    with pytest.raises(TypeError, match="Literal"):
        EventRegistry([Nameless])


def test_an_event_with_a_float_field_is_refused() -> None:
    class SupportGiven(DomainEvent):
        type: Literal["SupportGiven"] = "SupportGiven"
        amount: float

    with pytest.raises(TypeError, match="float"):
        EventRegistry([SupportGiven])


def test_events_are_frozen() -> None:
    event = SampleRecorded(text="x")
    with pytest.raises(ValidationError):
        event.text = "y"  # type: ignore[misc]


def test_new_events_keep_business_time_in_utc() -> None:
    hanoi = timezone(timedelta(hours=7))
    event: NewEvent[SampleRecorded] = NewEvent(
        payload=SampleRecorded(),
        occurred_at=datetime(2026, 1, 1, 7, 0, tzinfo=hanoi),
        actor=Actor(role=Role.HQ),
    )
    assert event.occurred_at == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert event.occurred_at.tzinfo == UTC


def test_a_naive_business_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        NewEvent(payload=SampleRecorded(), occurred_at=datetime(2026, 1, 1), actor=Actor(role=Role.HQ))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hq", Actor(role=Role.HQ)),
        ("post:DBP-1", Actor(role=Role.POST, id="DBP-1")),
        ("auditor", Actor(role=Role.AUDITOR)),
    ],
)
def test_actors_parse_from_role_and_id(text: str, expected: Actor) -> None:
    assert Actor.parse(text) == expected
    assert str(Actor.parse(text)) == text


@pytest.mark.parametrize("text", ["post", "commune:", "general:X"])
def test_an_actor_without_a_required_id_or_with_an_unknown_role_is_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError and Enum's ValueError alike
        Actor.parse(text)
