"""The event store's contract, one suite against every store: PostgreSQL and in memory (as the eventsourcing
library runs one suite per recorder). Whatever a use case's unit test sees of the in-memory store, the real one
does too."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest

from events import ConcurrencyError, EventIdConflictError, EventStore
from events.memory import MemoryEventStore
from infra.postgres import Pool
from tests.events.sample import POST, SAMPLE_REGISTRY, sample


@pytest.fixture(params=["postgres", pytest.param("memory", marks=pytest.mark.unit)])
def store(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryEventStore(SAMPLE_REGISTRY)
    pool: Pool = request.getfixturevalue("pool")  # a fresh, migrated database of this test's own
    return EventStore(pool, SAMPLE_REGISTRY)


async def count_events(store: Any) -> int:
    return len(await store.read_all(0, 1_000_000))


async def test_appended_events_read_back_in_order_with_their_envelope(store: Any) -> None:
    first = await store.append("assignment-A1", 0, [sample("một")])
    second = await store.append("assignment-A1", 1, [sample("hai"), sample("ba", amount_vnd=125_000_000)])

    events = await store.read_stream("assignment-A1")

    assert (first.version, second.version) == (1, 3)
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert [e.payload.model_dump()["text"] for e in events] == ["một", "hai", "ba"]
    assert events[2].payload.model_dump()["amount_vnd"] == 125_000_000
    assert [e.global_position for e in events] == first.positions + second.positions
    assert events[0].global_position < events[1].global_position < events[2].global_position
    assert events[0].actor == POST
    assert (events[0].directive_id, events[0].member_id, events[0].cell_id) == (
        "681-CT/ĐU",
        "M-001",
        "CB-AP-1",
    )
    assert events[1].recorded_at == events[2].recorded_at  # one batch, one transaction
    assert await store.stream_version("assignment-A1") == 3
    assert await store.stream_version("assignment-none") == 0


async def test_two_writers_at_the_same_expected_version_exactly_one_wins(store: Any) -> None:
    for round_ in range(20):
        stream = f"race-{round_}"
        await store.append(stream, 0, [sample()])
        outcomes = await asyncio.gather(
            store.append(stream, 1, [sample("writer a")]),
            store.append(stream, 1, [sample("writer b"), sample("writer b again")]),
            return_exceptions=True,
        )
        wins = [o for o in outcomes if not isinstance(o, BaseException)]
        losses = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(wins) == 1
        assert len(losses) == 1
        assert isinstance(losses[0], ConcurrencyError)
        assert await store.stream_version(stream) == wins[0].version


async def test_a_stale_expected_version_raises_and_writes_nothing(store: Any) -> None:
    await store.append("s", 0, [sample(), sample()])
    before = await count_events(store)

    with pytest.raises(ConcurrencyError) as raised:
        await store.append("s", 1, [sample("late")])

    assert (raised.value.expected_version, raised.value.actual_version) == (1, 2)
    assert raised.value.code == "concurrency_conflict"
    assert await count_events(store) == before


async def test_an_expected_version_beyond_the_stream_raises_instead_of_leaving_a_gap(store: Any) -> None:
    await store.append("s", 0, [sample()])

    for batch in ([sample()], [sample(), sample()]):
        with pytest.raises(ConcurrencyError) as raised:
            await store.append("s", 5, batch)
        assert raised.value.actual_version == 1
    with pytest.raises(ConcurrencyError):
        await store.append("never-written", 3, [sample()])
    assert await count_events(store) == 1


async def test_a_batch_is_atomic_when_one_of_its_events_is_refused(store: Any) -> None:
    taken = uuid4()
    await store.append("other", 0, [sample("elsewhere", event_id=taken)])

    with pytest.raises(EventIdConflictError):
        await store.append("s", 0, [sample("a"), sample("b"), sample("c", event_id=taken)])

    assert await store.read_stream("s") == []
    assert await count_events(store) == 1


async def test_resending_stored_events_is_a_no_op_that_reports_success(store: Any) -> None:
    single = sample("one")
    batch = [sample("two"), sample("three")]
    first_single = await store.append("s", 0, [single])
    first_batch = await store.append("s", 1, batch)
    await store.append("s", 3, [sample("four")])  # the stream moves on before the retries arrive

    again_single = await store.append("s", 0, [single])
    again_batch = await store.append("s", 1, batch)

    assert again_single.duplicate
    assert again_batch.duplicate
    assert again_single.positions == first_single.positions
    assert again_batch.positions == first_batch.positions
    assert again_batch.version == 3
    assert await count_events(store) == 4


async def test_the_same_event_id_with_different_content_is_an_error(store: Any) -> None:
    event_id = uuid4()
    await store.append("s", 0, [sample("original", event_id=event_id)])

    with pytest.raises(EventIdConflictError) as same_place:
        await store.append("s", 0, [sample("altered", event_id=event_id)])
    with pytest.raises(EventIdConflictError):
        await store.append("elsewhere", 0, [sample("original", event_id=event_id)])

    assert same_place.value.code == "event_id_conflict"
    assert str(event_id) in str(same_place.value)
    assert await count_events(store) == 1


async def test_reads_by_directive_member_and_cell_use_their_columns(store: Any) -> None:
    await store.append("a1", 0, [sample(member_id="M-1", cell_id="C-1", directive_id="D-1")])
    await store.append("a2", 0, [sample(member_id="M-2", cell_id="C-1", directive_id="D-1")])
    await store.append("a3", 0, [sample(member_id="M-1", cell_id="C-2", directive_id="D-2")])

    assert [e.stream_id for e in await store.read_by(directive_id="D-1")] == ["a1", "a2"]
    assert [e.stream_id for e in await store.read_by(member_id="M-1")] == ["a1", "a3"]
    assert [e.stream_id for e in await store.read_by(cell_id="C-2")] == ["a3"]
    with pytest.raises(ValueError, match="exactly one"):
        await store.read_by(member_id="M-1", cell_id="C-1")
