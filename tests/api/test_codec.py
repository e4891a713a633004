"""The codec endpoint: HQ and auditors read encrypted workflow histories (the Temporal CLI's
``--codec-endpoint``, the Web UI from its configured origin); nobody else, and nothing without a key."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from infra.payload_keys import add_key, load
from phancong.converter import DATA_CONVERTER, converter_for
from tests.api.conftest import Api
from tests.workflows.echo_note import EchoNote, Note

pytestmark = pytest.mark.timeout(180)
SECRET = "hộ HH-003 có thân nhân bên kia biên giới"
UI = "http://localhost:8080"


def texts(shown: str) -> set[str]:
    """The notes' texts in the payloads of a history as ``temporal workflow show --output json`` prints it."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, str) and "metadata" in node:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    found.add(json.loads(base64.b64decode(data))["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(shown))
    return found


def payload_of(text: str) -> dict[str, object]:
    (payload,) = DATA_CONVERTER.payload_converter.to_payloads([Note(text=text)])
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


async def test_hq_reads_an_encrypted_history_through_the_codec_endpoint(api: Api, tmp_path: Path) -> None:
    keys = tmp_path / "payload.keys"
    add_key(keys)
    converter = converter_for(load(keys))
    api.ctx.settings = replace(api.ctx.settings, payload_codec=converter.payload_codec, codec_cors_origin=UI)
    env = api.harness.env
    client = Client(env.client.service_client, namespace=env.client.namespace, data_converter=converter)
    workflow_id = f"codec-{uuid.uuid4()}"
    async with Worker(client, task_queue=workflow_id, workflows=[EchoNote]):
        handle = await client.start_workflow(EchoNote.run, Note(text=SECRET), id=workflow_id, task_queue=workflow_id)
        await handle.result()

    hq = await api.person("hq.codec", "hq")
    token = (await hq.post("/tokens", {"name": "codec", "days": 1}, key=None)).json()["token"]
    temporal = shutil.which("temporal") or str(Path(__file__).parents[2] / ".venv" / "bin" / "temporal")
    address = env.client.service_client.config.target_host
    show = [temporal, "workflow", "show", "--workflow-id", workflow_id, "--address", address, "--output", "json"]

    async def shown(*extra: str) -> str:
        process = await asyncio.create_subprocess_exec(
            *show, *extra, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        return out.decode("utf-8")

    assert SECRET not in texts(await shown())  # the server holds ciphertext
    decoded = await shown("--codec-endpoint", f"{api.base}/api/v1/codec", "--codec-auth", f"Bearer {token}")
    assert {SECRET, SECRET.upper()} <= texts(decoded)

    # Over HTTP: a round trip for HQ; refused to a cell and to nobody; the Web UI's preflight from its origin.
    sealed = await hq.post("/codec/encode", {"payloads": [payload_of(SECRET)]}, key=None)
    assert sealed.status_code == 200, sealed.text
    assert base64.b64decode(sealed.json()["payloads"][0]["metadata"]["encoding"]) == b"binary/encrypted"
    opened = await hq.post("/codec/decode", sealed.json(), key=None)
    assert opened.json() == {"payloads": [payload_of(SECRET)]}
    cell = await api.person("chibo.codec", "cell:CB-TT-AP1")
    assert (await cell.post("/codec/decode", sealed.json(), key=None)).status_code == 403
    async with httpx.AsyncClient(base_url=f"{api.base}/api/v1") as anonymous:
        assert (await anonymous.post("/codec/decode", json=sealed.json())).status_code == 401
        preflight = await anonymous.options("/codec/decode", headers={"Origin": UI})
        assert (preflight.status_code, preflight.headers["Access-Control-Allow-Origin"]) == (204, UI)
        other = await anonymous.options("/codec/decode", headers={"Origin": "https://elsewhere.example"})
        assert "Access-Control-Allow-Origin" not in other.headers

    api.ctx.settings = replace(api.ctx.settings, payload_codec=None)
    assert (await hq.post("/codec/decode", sealed.json(), key=None)).status_code == 404
