"""Reading the directory's current entries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from app.directory import require_vault
from app.ports import HouseholdVault
from directory.households import SEALED
from directory.model import Cell, Commune, Contact, HouseholdRecord, HqRecipient, Member, Post
from infra.postgres import Pool

E = TypeVar("E", HqRecipient, Commune, Cell, Post, Member, HouseholdRecord)

KINDS: dict[str, type[HqRecipient | Commune | Cell | Post | Member | HouseholdRecord]] = {
    "hq": HqRecipient,
    "auditor": HqRecipient,
    "commune": Commune,
    "cell": Cell,
    "post": Post,
    "member": Member,
    "household": HouseholdRecord,
}


async def reveal_households(
    vault: HouseholdVault | None, rows: list[tuple[str, dict[str, Any]]]
) -> list[HouseholdRecord]:
    """Households with their secret parts opened (erased ones marked); refused without the data keys' vault."""
    revealed = await require_vault(vault).reveal(rows)
    return [HouseholdRecord.model_validate({"id": eid, **data}) for (eid, _), data in zip(rows, revealed, strict=True)]


def _entry(model: type[E], row: Mapping[str, Any]) -> E:
    data: dict[str, Any] = {"id": row["entry_id"], **_json(row["data"])}
    data.pop(SEALED, None)  # a household's secret part: only ``households(reveal=True)`` opens it
    return model.model_validate(data)


def _json(value: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return loaded


class DirectoryRepository:
    """The directory as it stands (active entries); every method reads one kind of entry."""

    def __init__(self, pool: Pool, vault: HouseholdVault | None = None) -> None:
        self._pool = pool
        self._vault = vault

    async def _many(self, model: type[E], kind: str, where: str = "", *args: Any) -> list[E]:
        return [_entry(model, {"entry_id": eid, "data": data}) for eid, data in await self._rows(kind, where, *args)]

    async def communes(self) -> list[Commune]:
        return await self._many(Commune, "commune")

    async def cells(self, *, ids: list[str] | None = None, communes: list[str] | None = None) -> list[Cell]:
        if ids is not None:
            return await self._many(Cell, "cell", "AND entry_id = ANY($2::text[])", ids)
        if communes is not None:
            return await self._many(Cell, "cell", "AND data ->> 'commune' = ANY($2::text[])", communes)
        return await self._many(Cell, "cell")

    async def posts(self) -> list[Post]:
        return await self._many(Post, "post")

    async def members(self, *, ids: list[str] | None = None, post: str | None = None) -> list[Member]:
        if ids is not None:
            return await self._many(Member, "member", "AND entry_id = ANY($2::text[])", ids)
        if post is not None:
            return await self._many(Member, "member", "AND data ->> 'post' = $2", post)
        return await self._many(Member, "member")

    async def households(
        self, *, ids: list[str] | None = None, cells: list[str] | None = None, reveal: bool = False
    ) -> list[HouseholdRecord]:
        """Households' clear parts (cell, non-sensitive tags); with ``reveal``, their secret parts opened too."""
        where, args = "", []
        if ids is not None:
            where, args = "AND entry_id = ANY($2::text[])", [ids]
        elif cells is not None:
            where, args = "AND data ->> 'cell' = ANY($2::text[])", [cells]
        if not reveal:
            return await self._many(HouseholdRecord, "household", where, *args)
        return await reveal_households(self._vault, await self._rows("household", where, *args))

    async def _rows(self, kind: str, where: str = "", *args: Any) -> list[tuple[str, dict[str, Any]]]:
        rows = await self._pool.fetch(
            f"SELECT entry_id, data FROM directory_entries WHERE kind = $1 AND active {where} ORDER BY entry_id",
            kind,
            *args,
        )
        return [(r["entry_id"], _json(r["data"])) for r in rows]

    async def member(self, member_id: str) -> Member | None:
        found = await self.members(ids=[member_id])
        return found[0] if found else None

    async def cell(self, cell_id: str) -> Cell | None:
        found = await self.cells(ids=[cell_id])
        return found[0] if found else None

    async def hq(self) -> list[HqRecipient]:
        return await self._many(HqRecipient, "hq")

    async def contacts(self, role: str, entry_id: str | None) -> list[tuple[str, Contact]]:
        """Where a recipient's messages go, as (who, contact): each of HQ's people for ``hq``, else the entry's
        own contact (none when the directory has none)."""
        if role in ("hq", "auditor") and entry_id is None:
            return [(f"{role}:{r.id}", r.contact) for r in await self._many(HqRecipient, role)]
        model = KINDS.get(role)
        if model is None or entry_id is None:
            return []
        found = await self._many(model, role, "AND entry_id = $2", entry_id)  # type: ignore[type-var]
        contact = getattr(found[0], "contact", None) if found else None
        return [(f"{role}:{entry_id}", contact)] if isinstance(contact, Contact) else []

    async def name_of(self, role: str, entry_id: str | None) -> str | None:
        model = KINDS.get(role)
        if model is None or entry_id is None:
            return None
        found = await self._many(model, role, "AND entry_id = $2", entry_id)  # type: ignore[type-var]
        return found[0].name if found and hasattr(found[0], "name") else None

    async def exists(self, kind: str, entry_id: str) -> bool:
        """Whether the directory holds an active entry of ``kind`` (commune, cell, post, member, …) and id."""
        found: bool = await self._pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM directory_entries WHERE kind = $1 AND entry_id = $2 AND active)",
            kind,
            entry_id,
        )
        return found

    async def counts(self) -> dict[str, int]:
        """Active entries by kind (commune, cell, post, member, household, hq)."""
        rows = await self._pool.fetch("SELECT kind, count(*) AS n FROM directory_entries WHERE active GROUP BY kind")
        return {r["kind"]: r["n"] for r in rows}

    async def is_empty(self) -> bool:
        return not await self._pool.fetchval("SELECT EXISTS (SELECT 1 FROM directory_entries WHERE active)")
