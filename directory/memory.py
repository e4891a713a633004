"""The directory in memory (``app.ports.Directory``): the fold of the log's stream ``directory``, read afresh at
each call, for the use cases' unit tests."""

from __future__ import annotations

from typing import Any

from app.ports import EventLog
from directory.entries import fold_entries
from directory.model import Cell, Commune, Household, HqRecipient, Member, Post
from directory.repository import KINDS

STREAM = "directory"


class MemoryDirectory:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    async def _active(self, kind: str) -> list[Any]:
        entries = fold_entries(e.payload for e in await self._log.read_stream(STREAM))
        model = KINDS[kind]
        return [
            model.model_validate({"id": entry_id, **entry.data})
            for (k, entry_id), entry in sorted(entries.items())
            if k.value == kind and entry.active
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

    async def households(self, *, ids: list[str] | None = None, cells: list[str] | None = None) -> list[Household]:
        return [
            h
            for h in await self._active("household")
            if (ids is None or h.id in ids) and (cells is None or h.cell in cells)
        ]

    async def member(self, member_id: str) -> Member | None:
        return next(iter(await self.members(ids=[member_id])), None)

    async def cell(self, cell_id: str) -> Cell | None:
        return next(iter(await self.cells(ids=[cell_id])), None)

    async def hq(self) -> list[HqRecipient]:
        return await self._active("hq")

    async def counts(self) -> dict[str, int]:
        return {kind: len(await self._active(kind)) for kind in KINDS if await self._active(kind)}
