"""Households' wrapped data keys on PostgreSQL (``household_keys``, migration 0010)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from directory.sealing import KeyRow
from infra.postgres import Pool

_COLUMNS = "key_id, household_id, master_key_id, wrapped, erased_at"


class PostgresKeyStore:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def rows(self, *, households: Sequence[str] | None = None, keys: Sequence[str] | None = None) -> list[KeyRow]:
        if households is not None:
            found = await self._pool.fetch(
                f"SELECT {_COLUMNS} FROM household_keys WHERE household_id = ANY($1::text[])", list(households)
            )
        elif keys is not None:
            found = await self._pool.fetch(
                f"SELECT {_COLUMNS} FROM household_keys WHERE key_id = ANY($1::text[])", list(keys)
            )
        else:
            found = await self._pool.fetch(f"SELECT {_COLUMNS} FROM household_keys ORDER BY key_id")
        return [KeyRow(r["key_id"], r["household_id"], r["master_key_id"], r["wrapped"], r["erased_at"]) for r in found]

    async def insert(self, rows: Sequence[KeyRow]) -> None:
        async with self._pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO household_keys (key_id, household_id, master_key_id, wrapped) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (household_id) DO NOTHING",
                [(r.key_id, r.household_id, r.master_key_id, r.wrapped) for r in rows],
            )

    async def destroy(self, household_id: str, at: datetime) -> None:
        await self._pool.execute(
            "UPDATE household_keys SET wrapped = NULL, erased_at = $2 WHERE household_id = $1 AND wrapped IS NOT NULL",
            household_id,
            at,
        )

    async def rewrap(self, key_id: str, before: str, master_key_id: str, wrapped: bytes) -> None:
        await self._pool.execute(
            "UPDATE household_keys SET master_key_id = $3, wrapped = $4 "
            "WHERE key_id = $1 AND master_key_id = $2 AND wrapped IS NOT NULL",
            key_id,
            before,
            master_key_id,
            wrapped,
        )
