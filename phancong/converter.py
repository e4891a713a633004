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
import zlib
from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

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
