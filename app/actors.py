"""Who acts: an actor the directory knows (posts, communes, cells and members name one of its entries)."""

from __future__ import annotations

from app.ports import Directory
from domain.actors import Actor
from domain.bounds import entry_id
from domain.errors import UnknownReferenceError


async def known(directory: Directory, actor: Actor) -> Actor:
    """``actor`` if the directory knows the unit or person it names (hq and auditors name none)."""
    if actor.id is not None and not await directory.exists(actor.role.value, actor.id):
        raise UnknownReferenceError(f"--as {actor}: the directory has no {actor.role.value} {actor.id}")
    return actor


async def known_entry(directory: Directory, kind: str, value: str | None, option: str) -> str | None:
    """The id given to ``option``, in its normal form, if the directory knows it (None when not given)."""
    if value is None:
        return None
    ident = entry_id(value, option)
    if not await directory.exists(kind, ident):
        raise UnknownReferenceError(f"{option} {ident}: the directory has no {kind} {ident}")
    return ident
