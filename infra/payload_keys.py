"""The keys Temporal payloads are encrypted with: a key file of ``<key id> <base64 of 32 bytes>`` lines, the first
the key new payloads are encrypted with, the others kept to decrypt what older keys encrypted (rotation adds a
line at the top and never rewrites a history). A real KMS or HSM plugs in as another ``PayloadKeys``."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from domain.errors import PhancongError

KEY_BYTES = 32  # AES-256


class PayloadKeyError(PhancongError):
    code = "invalid_configuration"


@dataclass(frozen=True)
class PayloadKeys:
    current: str  # the id new payloads are encrypted with
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes:
        found = self.keys.get(key_id)
        if found is None:
            raise PayloadKeyError(f"no payload key {key_id!r} in the key file (was it rotated out?)")
        return found


def load(path: Path, what: str = "payload key file") -> PayloadKeys:
    """The keys of ``path``, or PayloadKeyError saying what is wrong with it (never a key's value)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as failure:
        raise PayloadKeyError(f"{what} {path}: cannot read it ({type(failure).__name__})") from None
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key_id, _, encoded = text.partition(" ")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not key_id.isascii() or not key_id.replace("-", "").isalnum() or len(key) != KEY_BYTES:
            raise PayloadKeyError(f"{what} {path}: line {number} is not '<id> <base64 of 32 bytes>'")
        if key_id in keys:
            raise PayloadKeyError(f"{what} {path}: key id {key_id!r} twice")
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise PayloadKeyError(f"{what} {path} holds no key")
    return PayloadKeys(order[0], keys)


def add_key(path: Path) -> str:
    """A new key at the top of ``path`` (created, readable by its owner only): new payloads use it, the older keys
    still decrypt. Its id."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    key_id = f"k{secrets.token_hex(4)}"
    line = f"{key_id} {base64.b64encode(os.urandom(KEY_BYTES)).decode()}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(line + existing)
    partial.replace(path)
    return key_id
