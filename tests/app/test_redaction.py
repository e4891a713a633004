"""Redaction that reveals nothing: a reader not allowed the sensitive household tags gets output of the same shape
whatever those tags are (no key present or absent, no marker beside other tags, no count by a sensitive tag)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.history import redact
from app.scopes import counts_by_tag, visible_tags
from directory.model import SENSITIVE_TAGS, HouseholdTag
from domain.actors import Actor, Role
from domain.events.directory import DirectoryEntryAdded, DirectoryEntryChanged, EntryKind, FieldChange
from events.envelope import RecordedEvent

pytestmark = pytest.mark.unit

PLAIN = sorted(t.value for t in HouseholdTag if t.value not in SENSITIVE_TAGS)
SENSITIVE = sorted(SENSITIVE_TAGS)
plain_tags = st.lists(st.sampled_from(PLAIN), unique=True)
sensitive_tags = st.lists(st.sampled_from(SENSITIVE), unique=True)
denominations = st.one_of(st.none(), st.sampled_from(["Phật giáo Hòa Hảo", "Công giáo", "Tin lành"]))


def recorded(payload: Any) -> RecordedEvent:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return RecordedEvent(
        global_position=1, event_id=uuid4(), stream_id="directory", stream_version=1, event_type=payload.type,
        schema_version=1, occurred_at=now, recorded_at=now, actor=Actor(role=Role.HQ), directive_id=None,
        causation_id=None, member_id=None, cell_id=None, payload=payload, hash="0" * 64,
    )  # fmt: skip


def household(tags: list[str], denomination: str | None) -> DirectoryEntryAdded:
    data: dict[str, Any] = {"id": "HH-1", "cell": "CB-1", "head": "Hộ ông A", "tags": tags}
    if denomination is not None:
        data["denomination"] = denomination
    return DirectoryEntryAdded(kind=EntryKind.HOUSEHOLD, entry_id="HH-1", data=data)


def seen(event: Any) -> dict[str, Any]:
    return redact(recorded(event), event.model_dump(mode="json"), allowed=set())


@given(plain_tags, sensitive_tags, sensitive_tags, denominations, denominations)
def test_a_household_reads_the_same_whatever_its_sensitive_tags(
    plain: list[str], one: list[str], other: list[str], first: str | None, second: str | None
) -> None:
    a, b = seen(household(plain + one, first)), seen(household(plain + other, second))
    assert a == b
    assert a["data"]["tags"] == plain
    assert "denomination" not in a["data"]


@given(plain_tags, plain_tags, sensitive_tags, sensitive_tags)
def test_a_change_of_sensitive_tags_alone_shows_no_change_of_tags(
    before: list[str], after: list[str], hidden_before: list[str], hidden_after: list[str]
) -> None:
    def change(b: list[str], a: list[str]) -> DirectoryEntryChanged:
        return DirectoryEntryChanged(
            kind=EntryKind.HOUSEHOLD, entry_id="HH-1", changes={"tags": FieldChange(before=b, after=a)}
        )

    shown = seen(change(before + hidden_before, after + hidden_after))
    assert shown == seen(change(before, after))
    assert ("tags" in shown["changes"]) is (before != after)


@given(
    st.dictionaries(st.sampled_from(PLAIN), st.integers(0, 1000)),
    st.dictionaries(st.sampled_from(SENSITIVE), st.integers(0, 1000)),
    st.dictionaries(st.sampled_from(SENSITIVE), st.integers(0, 1000)),
)
def test_counts_by_tag_have_the_same_keys_whatever_the_data(
    plain: dict[str, int], one: dict[str, int], other: dict[str, int]
) -> None:
    a = counts_by_tag(Counter(plain | one), sensitive=False)
    b = counts_by_tag(Counter(plain | other), sensitive=False)
    assert a == b
    assert list(a) == [t.value for t in HouseholdTag if t.value not in SENSITIVE_TAGS]
    assert list(counts_by_tag(Counter(), sensitive=True)) == [t.value for t in HouseholdTag]


def test_a_reader_allowed_them_sees_every_tag() -> None:
    assert visible_tags(["poor", "religion"], sensitive=True) == ["poor", "religion"]
    assert visible_tags(["poor", "religion"], sensitive=False) == ["poor"]
