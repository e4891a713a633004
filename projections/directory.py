"""directory_entries: the directory's current entries, the fold of the stream ``directory``.

Imports only append events; this keeps the table the directory's readers (nominations, contacts, reports,
directive scopes) use, and a rebuild makes it again from the log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from directory.entries import Entry, Key, apply_entry, key_of
from domain.events.directory import EntryKind
from events import RecordedEvent

STREAM = "directory"


class DirectoryProjection:
    name = "directory"
    tables: tuple[str, ...] = ("directory_entries",)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        mine = [(key, e) for e in events if e.stream_id == STREAM and (key := key_of(e.payload)) is not None]
        if not mine:
            return
        keys = sorted({key for key, _ in mine})
        rows = await conn.fetch(
            "SELECT kind, entry_id, data, active FROM directory_entries "
            "WHERE (kind, entry_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            [kind.value for kind, _ in keys],
            [entry_id for _, entry_id in keys],
        )
        entries: dict[Key, Entry | None] = {
            (EntryKind(r["kind"]), r["entry_id"]): Entry(json.loads(r["data"]), r["active"]) for r in rows
        }
        touched: dict[Key, datetime] = {}
        for key, event in mine:
            entries[key] = apply_entry(entries.get(key), event.payload)
            touched[key] = event.recorded_at
        await conn.executemany(
            "INSERT INTO directory_entries (kind, entry_id, data, active, updated_at) "
            "VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (kind, entry_id) DO UPDATE SET "
            "data = EXCLUDED.data, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at",
            [
                (kind.value, entry_id, json.dumps(entry.data, ensure_ascii=False), entry.active, at)
                for (kind, entry_id), at in touched.items()
                if (entry := entries[(kind, entry_id)]) is not None
            ],
        )
