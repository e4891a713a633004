"""Payloads over Temporal's 2 MB limit (a national directive's state) travel compressed; small ones stay JSON."""

from __future__ import annotations

import uuid
import zlib

import pytest
from pydantic import BaseModel
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from phancong.converter import ENCODING, THRESHOLD, LargePayloadCompression


class Load(BaseModel):
    assignment_ids: list[str]
    run: int = 1


@workflow.defn(name="CarryLoad")
class CarryLoad:
    """Carries its input through two continue-as-new, as the directive carries its state."""

    def __init__(self) -> None:
        self.load: Load | None = None

    @workflow.run
    async def run(self, load: Load) -> int:
        self.load = load
        if load.run < 3:
            workflow.continue_as_new(Load(assignment_ids=load.assignment_ids, run=load.run + 1))
        return len(load.assignment_ids)

    @workflow.query
    def current(self) -> Load | None:
        return self.load


def national_load() -> Load:
    """About 3 MB of assignment ids, as a national directive holds."""
    ids = [f"681-CT/ĐU:DV-{i // 4:05d}:CB-{i:05d}-{uuid.UUID(int=i * 7919).hex[:6]}" for i in range(60_000)]
    return Load(assignment_ids=ids)


async def test_large_payloads_are_compressed_and_small_ones_left_as_json() -> None:
    codec = LargePayloadCompression()
    small = Payload(metadata={"encoding": b"json/plain"}, data=b'{"stage":"active"}')
    large = pydantic_data_converter.payload_converter.to_payloads([national_load()])[0]
    assert large.ByteSize() > 2 * 1024 * 1024 > THRESHOLD

    encoded_small, encoded_large = await codec.encode([small, large])
    assert encoded_small == small
    assert encoded_large.metadata["encoding"] == ENCODING
    assert encoded_large.ByteSize() < large.ByteSize() / 5
    assert await codec.decode([encoded_small, encoded_large]) == [small, large]
    # What was stored before compression existed (or by a client without it) reads as it was.
    assert await codec.decode([large]) == [large]
    with pytest.raises(zlib.error):
        await codec.decode([Payload(metadata={"encoding": ENCODING}, data=b"not zlib")])


async def test_a_state_over_the_payload_limit_lives_through_continue_as_new(dev_env: WorkflowEnvironment) -> None:
    load = national_load()
    task_queue = f"large-{uuid.uuid4()}"
    async with Worker(dev_env.client, task_queue=task_queue, workflows=[CarryLoad]):
        handle = await dev_env.client.start_workflow(CarryLoad.run, load, id=task_queue, task_queue=task_queue)
        assert await handle.result() == len(load.assignment_ids)
        described = await handle.describe()
        assert described.run_id != handle.first_execution_run_id  # it did continue as new

        # Without compression the server refuses the same start: the limit this guards against is real.
        plain = Client(dev_env.client.service_client, namespace="default", data_converter=pydantic_data_converter)
        with pytest.raises(RPCError, match=r"(?i)size"):
            await plain.start_workflow(CarryLoad.run, load, id=f"{task_queue}-plain", task_queue=task_queue)
