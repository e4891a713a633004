"""How phancong's values travel through Temporal: pydantic JSON, and zlib for the few large payloads.

A national directive's state (2,600 cells, as many assignments) is over 2 MB of JSON, the size past which
Temporal refuses a payload; it is carried whole through continue-as-new and answered to queries. JSON of
ids and dates compresses about tenfold, so payloads above ``THRESHOLD`` bytes travel zlib-compressed
(encoding ``binary/zlib``), and everything smaller stays plain JSON, readable as it is in the Web UI and
``temporal workflow show``. Decoding leaves any payload without that encoding untouched, so histories
recorded before compression replay as they are.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from infra.payload_keys import PayloadKeys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENCODING = b"binary/zlib"
THRESHOLD = 64 * 1024


class LargePayloadCompression(PayloadCodec):
    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encode(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode(p) for p in payloads]

    @staticmethod
    def _encode(payload: Payload) -> Payload:
        if payload.ByteSize() <= THRESHOLD:
            return payload
        return Payload(metadata={"encoding": ENCODING}, data=zlib.compress(payload.SerializeToString(), 6))

    @staticmethod
    def _decode(payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        return Payload.FromString(zlib.decompress(payload.data))


DATA_CONVERTER: DataConverter = dataclasses.replace(pydantic_data_converter, payload_codec=LargePayloadCompression())

ENCRYPTED = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class PayloadEncryption(PayloadCodec):
    """AES-256-GCM over each whole payload (its metadata too), the key's id in the metadata (and bound to the
    ciphertext), as Temporal's encryption sample does: the server, its database and its Web UI see only
    ciphertext. Decoding leaves a payload that is not encrypted as it is, so histories recorded before encryption
    replay as they are; a payload of an unknown key, or altered, is refused."""

    def __init__(self, keys: PayloadKeys) -> None:
        self.keys = keys

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        aesgcm = _aesgcm()
        key_id = self.keys.current
        cipher = aesgcm(self.keys.key(key_id))
        found = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), key_id.encode())
            found.append(Payload(metadata={"encoding": ENCRYPTED, KEY_ID: key_id.encode()}, data=nonce + sealed))
        return found

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        found = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCRYPTED:
                found.append(payload)
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode("ascii", "replace")
            nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            plain = _aesgcm()(self.keys.key(key_id)).decrypt(nonce, sealed, key_id.encode())
            found.append(Payload.FromString(plain))
        return found


def _aesgcm() -> type[AESGCM]:
    """cryptography's AES-GCM, imported where a payload is sealed or opened: a workflow module that imports this
    one is re-imported by Temporal's sandbox, which cannot re-import cryptography's native code."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    return AESGCM


class Chain(PayloadCodec):
    """Codecs one after another when encoding (compress, then encrypt), in reverse when decoding."""

    def __init__(self, *codecs: PayloadCodec) -> None:
        self.codecs = codecs

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        found = list(payloads)
        for codec in self.codecs:
            found = await codec.encode(found)
        return found

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        found = list(payloads)
        for codec in reversed(self.codecs):
            found = await codec.decode(found)
        return found


def converter_for(keys: PayloadKeys | None) -> DataConverter:
    """The data converter of a deployment: payloads compressed when large, and encrypted when it has keys."""
    if keys is None:
        return DATA_CONVERTER
    codec = Chain(LargePayloadCompression(), PayloadEncryption(keys))
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)
