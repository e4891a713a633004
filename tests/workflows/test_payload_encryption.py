"""Temporal payloads encrypted by phancong's codec (AES-256-GCM, the key's id in the metadata): the server keeps
only ciphertext; the key file rotates without rewriting a history; unencrypted histories still decode; HQ and
auditors read histories through the codec endpoint, as ``temporal workflow show --codec-endpoint`` does."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.payload_keys import PayloadKeyError, add_key, load
from phancong.converter import DATA_CONVERTER, ENCRYPTED, KEY_ID, converter_for
from tests.workflows.echo_note import EchoNote, Note

SECRET = "hộ HH-003 theo đạo Hòa Hảo"


def plain(text: str) -> Payload:
    (payload,) = DATA_CONVERTER.payload_converter.to_payloads([Note(text=text)])
    return payload


@pytest.mark.unit
async def test_payloads_round_trip_encrypted_and_rotate_without_rewriting(tmp_path: Path) -> None:
    keys = tmp_path / "payload.keys"
    first = add_key(keys)
    codec = converter_for(load(keys)).payload_codec
    assert codec is not None
    (sealed,) = await codec.encode([plain(SECRET)])
    assert (sealed.metadata["encoding"], sealed.metadata[KEY_ID]) == (ENCRYPTED, first.encode())
    assert SECRET.encode() not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [plain(SECRET)]
    assert await codec.decode([plain("ghi trước khi mã hoá")]) == [plain("ghi trước khi mã hoá")]  # as recorded

    second = add_key(keys)  # rotation: new payloads use the new key, the old one still decrypts
    rotated = converter_for(load(keys)).payload_codec
    assert rotated is not None
    (newer,) = await rotated.encode([plain(SECRET)])
    assert newer.metadata[KEY_ID] == second.encode()
    assert await rotated.decode([sealed, newer]) == [plain(SECRET), plain(SECRET)]

    altered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(InvalidTag):
        await rotated.decode([altered])
    stranger = Payload(metadata={"encoding": ENCRYPTED, KEY_ID: b"k-unknown"}, data=sealed.data)
    with pytest.raises(PayloadKeyError, match="no payload key 'k-unknown'"):
        await rotated.decode([stranger])


@pytest.mark.unit
def test_a_bad_key_file_is_refused_without_its_content(tmp_path: Path) -> None:
    bad = tmp_path / "bad.keys"
    bad.write_text("k1 c2hvcnQ=\n", encoding="utf-8")  # "short": not 32 bytes
    with pytest.raises(PayloadKeyError, match="line 1") as refused:
        load(bad)
    assert "c2hvcnQ" not in str(refused.value)
    with pytest.raises(PayloadKeyError, match="cannot read"):
        load(tmp_path / "missing.keys")


async def test_the_server_keeps_only_ciphertext(env: WorkflowEnvironment, tmp_path: Path) -> None:
    keys = tmp_path / "payload.keys"
    add_key(keys)
    client = Client(env.client.service_client, namespace=env.client.namespace, data_converter=converter_for(load(keys)))
    task_queue = f"encrypted-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[EchoNote]):
        handle = await client.start_workflow(EchoNote.run, Note(text=SECRET), id=task_queue, task_queue=task_queue)
        assert (await handle.result()).text == SECRET.upper()
    history = await env.client.get_workflow_handle(task_queue).fetch_history()
    stored = history.to_json()
    assert SECRET not in stored
    assert SECRET.upper() not in stored
    assert (
        json.loads(stored)["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]["metadata"][
            "encoding"
        ]
        == "YmluYXJ5L2VuY3J5cHRlZA=="
    )  # base64 of binary/encrypted
