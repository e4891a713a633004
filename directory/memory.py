"""The directory in memory (``app.ports.Directory``): the fold of the log's stream ``directory``, read afresh at
each call, for the use cases' unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.ports import EventLog, HouseholdVault
from directory.entries import fold_entries
from directory.households import SEALED
from directory.model import Cell, Commune, HouseholdRecord, HqRecipient, Member, Post
from directory.repository import KINDS, reveal_households
from directory.sealing import KeyRow

STREAM = "directory"


class MemoryDirectory:
    def __init__(self, log: EventLog, vault: HouseholdVault | None = None) -> None:
        self._log = log
        self._vault = vault

    async def _rows(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        entries = fold_entries(e.payload for e in await self._log.read_stream(STREAM))
        return [
            (entry_id, entry.data)
            for (k, entry_id), entry in sorted(entries.items())
            if k.value == kind and entry.active
        ]

    async def _active(self, kind: str) -> list[Any]:
        model = KINDS[kind]
        return [
            model.model_validate({"id": entry_id, **{k: v for k, v in data.items() if k != SEALED}})
            for entry_id, data in await self._rows(kind)
        ]

    async def exists(self, kind: str, entry_id: str) -> bool:
        return kind in KINDS and any(e.id == entry_id for e in await self._active(kind))

    async def communes(self) -> list[Commune]:
        return await self._active("commune")

    async def cells(self, *, ids: list[str] | None = None, communes: list[str] | None = None) -> list[Cell]:
        return [
            c
            for c in await self._active("cell")
            if (ids is None or c.id in ids) and (communes is None or c.commune in communes)
        ]

    async def posts(self) -> list[Post]:
        return await self._active("post")

    async def members(self, *, ids: list[str] | None = None, post: str | None = None) -> list[Member]:
        return [m for m in await self._active("member") if (ids is None or m.id in ids) and post in (None, m.post)]

    async def households(
        self, *, ids: list[str] | None = None, cells: list[str] | None = None, reveal: bool = False
    ) -> list[HouseholdRecord]:
        rows = [
            (eid, data)
            for eid, data in await self._rows("household")
            if (ids is None or eid in ids) and (cells is None or data.get("cell") in cells)
        ]
        if reveal:
            return await reveal_households(self._vault, rows)
        return [
            HouseholdRecord.model_validate({"id": eid, **{k: v for k, v in d.items() if k != SEALED}})
            for eid, d in rows
        ]

    async def member(self, member_id: str) -> Member | None:
        return next(iter(await self.members(ids=[member_id])), None)

    async def cell(self, cell_id: str) -> Cell | None:
        return next(iter(await self.cells(ids=[cell_id])), None)

    async def hq(self) -> list[HqRecipient]:
        return await self._active("hq")

    async def counts(self) -> dict[str, int]:
        return {kind: len(await self._active(kind)) for kind in KINDS if await self._active(kind)}


class MemoryKeyStore:
    """Wrapped data keys in memory, for the use cases' unit tests."""

    def __init__(self) -> None:
        self._rows: dict[str, KeyRow] = {}

    async def rows(self, *, households: Sequence[str] | None = None, keys: Sequence[str] | None = None) -> list[KeyRow]:
        return [
            r
            for r in self._rows.values()
            if (households is None or r.household_id in households) and (keys is None or r.key_id in keys)
        ]

    async def insert(self, rows: Sequence[KeyRow]) -> None:
        for row in rows:
            if all(r.household_id != row.household_id for r in self._rows.values()):
                self._rows[row.key_id] = row

    async def destroy(self, household_id: str, at: datetime) -> None:
        for row in list(self._rows.values()):
            if row.household_id == household_id:
                self._rows[row.key_id] = KeyRow(row.key_id, household_id, row.master_key_id, None, at)

    async def rewrap(self, key_id: str, before: str, master_key_id: str, wrapped: bytes) -> None:
        row = self._rows[key_id]
        if row.master_key_id == before and row.wrapped is not None:
            self._rows[key_id] = KeyRow(key_id, row.household_id, master_key_id, wrapped)
