"""The read models: how far behind the log they are, what they could not apply, and making them again."""

from __future__ import annotations

from typing import Any

from app.scopes import require_role
from app.services import Services
from domain.actors import Actor, Role


async def status(s: Services, viewer: Actor) -> dict[str, Any]:
    """The read models' checkpoint, how many settled events they have yet to apply, and the events a read model
    could not apply (fix the cause, then rebuild): for HQ and auditors."""
    require_role(viewer, Role.HQ, Role.AUDITOR)
    position, behind = await s.read.lag()
    failed = [
        {
            "projection": f.projection,
            "event_id": str(f.event_id),
            "position": f.position,
            "event": f"{f.event_type} {f.stream_id}@{f.version}",
            "error": f.error,
            "hq_told": f.notified_at is not None,
        }
        for f in await s.read.failures()
    ]
    return {"position": position, "events_behind": behind, "failures": failed}


async def rebuild(s: Services, actor: Actor) -> Any:
    """Replay the whole log into fresh read models and swap them in (HQ, with the tables' owner's rights)."""
    require_role(actor, Role.HQ)
    return await s.read.rebuild()
