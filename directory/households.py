"""A household's data in its two parts: the *clear* part (its cell and non-sensitive tags, which scopes and reports
need) and the *secret* part (the head's name, the denomination and the sensitive tags, DOMAIN.md), which is stored
only sealed (``directory.sealing``) as ``{"sealed": {"key": …, "box": …}}`` beside the clear part."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from directory.model import SENSITIVE_TAGS

SECRET_FIELDS = ("head", "denomination")
SEALED = "sealed"


def split(plain: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A household's data as its clear part (everything but the secrets; non-sensitive tags) and its secret part
    (head, denomination, sensitive tags), each keeping the tags' order."""
    tags = [str(t) for t in plain.get("tags") or []]
    clear = {k: v for k, v in plain.items() if k not in (*SECRET_FIELDS, "tags", SEALED)}
    clear["tags"] = [t for t in tags if t not in SENSITIVE_TAGS]
    secret = {
        "head": plain.get("head") or "",
        "denomination": plain.get("denomination"),
        "tags": [t for t in tags if t in SENSITIVE_TAGS],
    }
    return clear, secret


def join(stored: Mapping[str, Any], secret: Mapping[str, Any] | None) -> dict[str, Any]:
    """The household's data as the directory file gave it, from its stored clear part and its opened ``secret``;
    ``secret`` None: erased (no head, no denomination, no sensitive tag, ``erased: True``)."""
    clear = {k: v for k, v in stored.items() if k != SEALED}
    if secret is None:
        return {**clear, "head": "", "denomination": None, "erased": True}
    return {
        **clear,
        "head": secret.get("head") or "",
        "denomination": secret.get("denomination"),
        "tags": [*(clear.get("tags") or []), *secret.get("tags", [])],
    }


def legacy_secret(stored: Mapping[str, Any]) -> dict[str, Any] | None:
    """The secret part of an entry stored before households were sealed (plain fields), or None when sealed."""
    return None if SEALED in stored else split(stored)[1]
