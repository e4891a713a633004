"""The integrity algorithm, as pure functions."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from domain.canonical import canonical_json
from events.integrity import (
    ZERO_HASH,
    StoredLink,
    chain_hash,
    content_document,
    content_hash,
    fast_content_hash,
    first_problems,
    utc_text,
)

AT = datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC)


def link(version: int, previous: bytes, text: str = "x", stream: str = "s") -> StoredLink:
    base = StoredLink(
        global_position=version,
        event_id=UUID(int=version),
        stream_id=stream,
        stream_version=version,
        event_type="SampleRecorded",
        schema_version=1,
        occurred_at=AT,
        recorded_at=AT,
        actor_role="hq",
        actor_id=None,
        actor_account=None,
        directive_id=None,
        causation_id=None,
        member_id=None,
        cell_id=None,
        payload=f'{{"text": "{text}"}}',
        content_hash=ZERO_HASH,
        hash=ZERO_HASH,
    )
    content = base.recomputed_content_hash()
    return base.model_copy(update={"content_hash": content, "hash": chain_hash(previous, content, AT)})


def chain(n: int, stream: str = "s") -> list[StoredLink]:
    links: list[StoredLink] = []
    previous = ZERO_HASH
    for version in range(1, n + 1):
        links.append(link(version, previous, stream=stream))
        previous = links[-1].hash
    return links


def test_timestamps_are_hashed_as_utc_text_with_microseconds() -> None:
    assert utc_text(AT) == "2026-03-01T01:02:03.456789Z"


def test_a_chain_link_is_sha256_of_previous_content_and_storage_time() -> None:
    content = hashlib.sha256(b"content").digest()
    expected = hashlib.sha256(ZERO_HASH + content + b"2026-03-01T01:02:03.456789Z").digest()
    assert chain_hash(ZERO_HASH, content, AT) == expected


def test_an_intact_chain_has_no_problem() -> None:
    assert list(first_problems(chain(5) + chain(3, stream="t"))) == []


def test_only_the_first_problem_of_each_stream_is_reported() -> None:
    links = chain(5)
    links[1] = links[1].model_copy(update={"payload": '{"text": "y"}'})
    links[3] = links[3].model_copy(update={"payload": '{"text": "z"}'})
    other = chain(2, stream="t")
    other[1] = other[1].model_copy(update={"hash": ZERO_HASH})

    problems = list(first_problems(links + other))

    assert [(p.stream_id, p.stream_version, p.kind) for p in problems] == [
        ("s", 2, "content_altered"),
        ("t", 2, "chain_broken"),
    ]


def test_a_stream_that_does_not_start_at_version_one_is_a_gap() -> None:
    problems = list(first_problems(chain(3)[1:]))
    assert [(p.stream_version, p.kind) for p in problems] == [(2, "version_gap")]


TRICKY = [
    "",
    'quote " and \\ backslash',
    "tab\tnew\nline\r",
    "\x00\x1f control",
    "Đồn Biên phòng ấp Tiệm Tôm",
    "😀 \u2028",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_writers_content_hash_equals_the_documented_json_dumps(text: str) -> None:
    payload = {"text": text, "amount_vnd": 125_000_000, "nested": {"z": [1, None, True], "a": text}}
    fields: dict[str, Any] = {
        "event_id": UUID(int=42),
        "stream_id": f"assignment-{text}",
        "stream_version": 3,
        "event_type": "SampleRecorded",
        "schema_version": 2,
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=7))),
        "actor_role": "post",
        "actor_id": text or None,
        # The account behind the role is hashed when there is one, and leaves no trace when there is none.
        "actor_account": "nguyen.van-an_2" if len(text) % 2 else None,
        "directive_id": "681-CT/ĐU",
        "causation_id": None,
        "member_id": text,
        "cell_id": None,
    }
    documented = json.dumps(
        content_document(**fields, payload=payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )

    assert canonical_json(payload) == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert content_hash(content_document(**fields, payload=payload)) == hashlib.sha256(documented.encode()).digest()
    assert (
        fast_content_hash(**fields, payload_json=canonical_json(payload))
        == hashlib.sha256(documented.encode()).digest()
    )
