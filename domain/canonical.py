"""The one JSON serialization that is hashed (integrity hashes, a directive's fingerprint)."""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _unserializable(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# JSONEncoder.encode builds its C encoder anew on every call; every event is hashed, so keep one.
_C_ENCODER = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _unserializable, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def canonical_json(value: Any) -> str:
    """The one serialization that is hashed: sorted keys, no whitespace, UTF-8 text, no NaN.

    Equal to ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)``.
    """
    if _C_ENCODER is None or isinstance(value, str | int | float | bool | None):
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))
