"""Households' sensitive fields sealed at rest: envelope encryption, one data key per household.

A household's entry is stored (in its events, and so in every read model that copies them) as its *clear* part —
the cell it lives in and its non-sensitive tags, which scopes and reports need — and its *sealed* part: the head's
name, the denomination and the sensitive tags (DOMAIN.md), as AES-256-GCM under the household's own data key,
``{"key": <data key id>, "box": base64(nonce ‖ ciphertext)}``. The associated data binds a box to its household and
key, so a box moved to another household does not open. The plaintext is padded to a multiple of ``BUCKET`` bytes,
so a box's length says nothing of what it holds beyond that.

Data keys live outside the event log (``household_keys``), each wrapped (AES key wrap, RFC 3394) by a master key
that never enters the database (``MasterKeys``: a key file, or a KMS/HSM behind the same two calls). Rotating the
master key rewraps the data keys and rewrites no event. Erasing a household destroys its data key: every box it
ever had stays in the log, its hash chain and seals still verify, and nobody can open it again (crypto-shredding).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import structlog

from directory.households import SEALED, join, legacy_secret
from domain.errors import PhancongError

log = structlog.get_logger(__name__)

DATA_KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
BUCKET = 128


# ------------------------------------------------------------------------------------------------------- crypto


def _aad(household_id: str, key_id: str) -> bytes:
    return b"phancong/household/v1\x00" + household_id.encode() + b"\x00" + key_id.encode()


def seal_with(data_key: bytes, key_id: str, household_id: str, secret: Mapping[str, Any]) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415 (kept out of workflow imports)

    text = json.dumps(secret, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    padded = text + b" " * (-len(text) % BUCKET)
    nonce = os.urandom(NONCE_BYTES)
    box = nonce + AESGCM(data_key).encrypt(nonce, padded, _aad(household_id, key_id))
    return {"key": key_id, "box": base64.b64encode(box).decode()}


def open_with(data_key: bytes, household_id: str, sealed: Mapping[str, Any]) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    box = base64.b64decode(str(sealed["box"]), validate=True)
    text = AESGCM(data_key).decrypt(box[:NONCE_BYTES], box[NONCE_BYTES:], _aad(household_id, str(sealed["key"])))
    opened: dict[str, Any] = json.loads(text)
    return opened


# ---------------------------------------------------------------------------------------------------------- keys


class MasterKeys(Protocol):
    """What wraps the data keys: a key file (``FileMasterKeys``), or a KMS/HSM offering the same two calls."""

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """``data_key`` wrapped by the current master key, with that key's id."""
        ...

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes: ...

    @property
    def current(self) -> str: ...


@dataclass(frozen=True)
class KeyRow:
    key_id: str
    household_id: str
    master_key_id: str
    wrapped: bytes | None  # None: destroyed (the household is erased)
    erased_at: datetime | None = None


class KeyStore(Protocol):
    """Where wrapped data keys are kept (``household_keys``; outside the append-only log, so a key can be
    destroyed)."""

    async def rows(self, *, households: Sequence[str] | None = None, keys: Sequence[str] | None = None) -> list[KeyRow]:
        """The rows of these households or of these key ids (every row when both are None)."""
        ...

    async def insert(self, rows: Sequence[KeyRow]) -> None:
        """Keep ``rows``; a household that has a key already keeps its own (a concurrent import made it)."""
        ...

    async def destroy(self, household_id: str, at: datetime) -> None: ...

    async def rewrap(self, key_id: str, before: str, master_key_id: str, wrapped: bytes) -> None:
        """Replace the key's wrapping, if it is still wrapped by ``before``."""
        ...


class Vault:
    """Sealing and opening households' secret parts, and erasing them: the one place that touches data keys."""

    def __init__(self, keys: KeyStore, masters: MasterKeys) -> None:
        self._keys = keys
        self._masters = masters

    async def _data_keys(self, households: Iterable[str]) -> dict[str, KeyRow]:
        wanted = sorted(set(households))
        have = {r.household_id: r for r in await self._keys.rows(households=wanted)}
        missing = [h for h in wanted if h not in have]
        if missing:
            made = []
            for household in missing:
                master, wrapped = self._masters.wrap(os.urandom(DATA_KEY_BYTES))
                made.append(KeyRow(f"hk-{secrets.token_hex(8)}", household, master, wrapped))
            await self._keys.insert(made)
            have = {r.household_id: r for r in await self._keys.rows(households=wanted)}
        return have

    async def erased(self, households: Iterable[str]) -> set[str]:
        """Those of ``households`` whose data key is destroyed."""
        return {r.household_id for r in await self._keys.rows(households=sorted(set(households))) if r.wrapped is None}

    async def seal(self, secrets_by_household: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
        """Each household's secret part sealed under its data key (made when it has none). An erased household is
        left out: its secrets are gone for good, and a new import does not bring them back under the same id."""
        rows = await self._data_keys(secrets_by_household)
        sealed: dict[str, dict[str, str]] = {}
        for household, secret in secrets_by_household.items():
            row = rows[household]
            if row.wrapped is not None:
                data_key = self._masters.unwrap(row.master_key_id, row.wrapped)
                sealed[household] = seal_with(data_key, row.key_id, household, secret)
        return sealed

    async def open(self, entries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any] | None]:
        """The secret part of each (household id, stored data); None where the household is erased or its box
        does not open (logged: a wrong master key or a damaged box stops no reader)."""
        wanted = sorted({str(data[SEALED]["key"]) for _, data in entries if isinstance(data.get(SEALED), dict)})
        rows = {r.key_id: r for r in await self._keys.rows(keys=wanted)} if wanted else {}
        unwrapped: dict[str, bytes | None] = {}
        opened: list[dict[str, Any] | None] = []
        for household, data in entries:
            sealed = data.get(SEALED)
            if not isinstance(sealed, dict):
                opened.append(legacy_secret(data))
                continue
            key_id = str(sealed.get("key"))
            if key_id not in unwrapped:
                unwrapped[key_id] = self._unwrap(rows.get(key_id))
            data_key = unwrapped[key_id]
            opened.append(self._open(data_key, household, sealed) if data_key is not None else None)
        return opened

    def _unwrap(self, row: KeyRow | None) -> bytes | None:
        if row is None or row.wrapped is None:
            return None
        try:
            return self._masters.unwrap(row.master_key_id, row.wrapped)
        except (PhancongError, ValueError) as failure:
            log.error("household_key_unwrap_failed", key_id=row.key_id, reason=type(failure).__name__)
            return None

    @staticmethod
    def _open(data_key: bytes, household: str, sealed: Mapping[str, Any]) -> dict[str, Any] | None:
        from cryptography.exceptions import InvalidTag  # noqa: PLC0415

        try:
            return open_with(data_key, household, sealed)
        except (InvalidTag, ValueError, KeyError, binascii.Error) as failure:
            log.error("household_box_unopened", household_id=household, reason=type(failure).__name__)
            return None

    async def reveal(self, entries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
        """Each household's data as the directory file gave it (``join``), erased ones marked so."""
        opened = await self.open(entries)
        return [join(data, secret) for (_, data), secret in zip(entries, opened, strict=True)]

    async def erase(self, household_id: str, at: datetime) -> None:
        """Destroy the household's data key (making one first if it never had one, so that it stays erased)."""
        await self._data_keys([household_id])
        await self._keys.destroy(household_id, at)

    async def rewrap(self) -> int:
        """Wrap every live data key with the current master key; how many were rewrapped. No event changes."""
        count = 0
        for row in await self._keys.rows():
            if row.wrapped is None or row.master_key_id == self._masters.current:
                continue
            master, wrapped = self._masters.wrap(self._masters.unwrap(row.master_key_id, row.wrapped))
            await self._keys.rewrap(row.key_id, row.master_key_id, master, wrapped)
            count += 1
        return count
