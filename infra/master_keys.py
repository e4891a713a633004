"""The master keys that wrap households' data keys (``directory.sealing``), from a key file of the payload keys'
format (``<key id> <base64 of 32 bytes>`` lines, the first the current one; ``phancong keys add FILE`` adds one at
the top). A KMS or HSM plugs in as another object with the same ``current``, ``wrap`` and ``unwrap``."""

from __future__ import annotations

import os
from pathlib import Path

from infra.payload_keys import KEY_BYTES, PayloadKeyError, PayloadKeys, add_key, load


class FileMasterKeys:
    def __init__(self, ring: PayloadKeys) -> None:
        self._ring = ring

    @property
    def current(self) -> str:
        return self._ring.current

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        from cryptography.hazmat.primitives.keywrap import aes_key_wrap  # noqa: PLC0415

        return self._ring.current, aes_key_wrap(self._ring.key(self._ring.current), data_key)

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes:
        from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap  # noqa: PLC0415

        try:
            return aes_key_unwrap(self._ring.key(master_key_id), wrapped)
        except InvalidUnwrap:
            raise PayloadKeyError(f"master key {master_key_id!r} does not unwrap this data key") from None


def from_file(path: Path) -> FileMasterKeys:
    return FileMasterKeys(load(path, "master key file"))


def ensure_file(path: Path) -> FileMasterKeys:
    """The master keys of ``path``, made (one new key, readable by its owner only) when it does not exist: what the
    embedded stack and the tests use. A deployment names its own file (PHANCONG_MASTER_KEYS_FILE)."""
    if not path.exists():
        add_key(path)
    return from_file(path)


def generated() -> FileMasterKeys:
    """One fresh master key held in memory only (unit tests)."""
    return FileMasterKeys(PayloadKeys("k-memory", {"k-memory": os.urandom(KEY_BYTES)}))
