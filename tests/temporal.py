"""Real Temporal servers for the tests, from the pinned wheels (no download)."""

from __future__ import annotations

import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from phancong.converter import DATA_CONVERTER
from phancong.embedded import time_skipping_server
from workflows import search_attributes

BIN = Path(sys.executable).parent


async def time_skipping() -> WorkflowEnvironment:
    """The time-skipping test server, with phancong's search attributes registered (it has no Schedules)."""
    env = await time_skipping_server()
    await register_search_attributes(env.client)
    return env


async def dev_server() -> WorkflowEnvironment:
    """The real dev server (visibility queries, Schedules), in memory."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=DATA_CONVERTER,
        search_attributes=list(search_attributes.ALL),
        dev_server_log_level="error",
    )


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in search_attributes.ALL},
        )
    )
