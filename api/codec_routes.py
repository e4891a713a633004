"""The codec endpoint (Temporal's remote codec protocol): HQ and auditors read encrypted workflow histories in the
Temporal Web UI and with ``temporal workflow show --codec-endpoint``; the server itself only ever holds ciphertext."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from temporalio.api.common.v1 import Payload

from api.problems import COMMON, documented
from api.security import Caller, Context
from app.scopes import require_role
from domain.actors import Role
from domain.errors import InvalidInputError, NotFoundError

router = APIRouter(tags=["codec"])
MAX_PAYLOADS = 1000


class CodecPayload(BaseModel):
    """A payload as protobuf's JSON writes it: metadata values and data in base64."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, str] = Field(default_factory=dict, max_length=50)
    data: str = Field("", max_length=8 * 1024 * 1024)


class CodecPayloads(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payloads: list[CodecPayload] = Field(default_factory=list, max_length=MAX_PAYLOADS)


def _decoded(body: CodecPayloads) -> list[Payload]:
    try:
        return [
            Payload(
                metadata={k: base64.b64decode(v, validate=True) for k, v in p.metadata.items()},
                data=base64.b64decode(p.data, validate=True),
            )
            for p in body.payloads
        ]
    except (binascii.Error, ValueError):
        raise InvalidInputError("payloads: metadata values and data are base64") from None


def _encoded(payloads: list[Payload]) -> CodecPayloads:
    return CodecPayloads(
        payloads=[
            CodecPayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


async def _codec(ctx: Context, caller: Caller, body: CodecPayloads, *, encode: bool) -> CodecPayloads:
    require_role(caller.actor, Role.HQ, Role.AUDITOR)
    codec = ctx.settings.payload_codec
    if codec is None:
        raise NotFoundError("Temporal payloads are not encrypted here (PHANCONG_PAYLOAD_KEYS_FILE is unset)")
    payloads = _decoded(body)
    try:
        return _encoded(await (codec.encode(payloads) if encode else codec.decode(payloads)))
    except (InvalidTag, ValueError) as failure:
        raise InvalidInputError(f"a payload cannot be decoded: {failure or 'altered or of another key'}") from None


@router.post("/codec/encode", responses=documented(*COMMON, 404), response_model=CodecPayloads)
async def encode(body: CodecPayloads, ctx: Context, caller: Caller) -> CodecPayloads:
    """Payloads as phancong sends them to Temporal (compressed when large, encrypted): HQ and auditors."""
    return await _codec(ctx, caller, body, encode=True)


@router.post("/codec/decode", responses=documented(*COMMON, 404), response_model=CodecPayloads)
async def decode(body: CodecPayloads, ctx: Context, caller: Caller) -> CodecPayloads:
    """Payloads as Temporal keeps them, decrypted (what the Web UI shows an authorized operator): HQ and
    auditors."""
    return await _codec(ctx, caller, body, encode=False)
