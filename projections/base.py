"""What a projection is: a name, the tables it owns, and how a batch of events changes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import asyncpg

from events import RecordedEvent


class Projection(Protocol):
    """Turns events into rows. ``apply`` gets whole batches so that it can fold in memory and write once."""

    name: str
    tables: tuple[str, ...]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None: ...
