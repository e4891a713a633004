"""`phancong audit export --directive D`: every stream of a directive, whole, and a manifest of hashes.

``events.jsonl`` has one JSON object per event, exactly the rows of docs/auditing.md's psql export (the same
SQL makes them), streams in version order. ``manifest.json`` names each stream's event count, last version
and head hash, the file's SHA-256, and the log's latest seal: with the page's script an auditor verifies the
export offline (``python3 verify_chain.py events.jsonl manifest.json``), and a later export or the live
record can be compared with the heads kept from this one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.errors import InvalidInputError
from events.seals import latest
from infra.postgres import Pool

FORMAT = "phancong-export/1"
_ROWS = """
SELECT row_to_json(e)::text AS line, e.stream_id, e.stream_version, e.hash FROM (
    SELECT stream_id, stream_version, event_id, event_type, schema_version, occurred_at, recorded_at,
           actor_role, actor_id, actor_account, directive_id, causation_id, member_id, cell_id, payload,
           encode(content_hash, 'hex') AS content_hash, encode(hash, 'hex') AS hash
    FROM events
    WHERE stream_id IN (SELECT DISTINCT stream_id FROM events WHERE directive_id = $1)
    ORDER BY stream_id, stream_version
) e
"""


class NothingToExportError(LookupError):
    pass


async def export_directive(pool: Pool, directive_id: str, out: Path) -> dict[str, Any]:
    """Write ``out/events.jsonl`` and ``out/manifest.json``; returns the manifest."""
    created = _make_directory(out)
    events_path = out / "events.jsonl"
    digest = hashlib.sha256()
    streams: dict[str, dict[str, Any]] = {}
    count = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        with events_path.open("w", encoding="utf-8", newline="\n") as file:
            async for row in conn.cursor(_ROWS, directive_id, prefetch=5000):
                line = row["line"] + "\n"
                file.write(line)
                digest.update(line.encode("utf-8"))
                count += 1
                entry = streams.setdefault(row["stream_id"], {"events": 0})
                entry["events"] += 1
                entry["last_version"] = row["stream_version"]
                entry["head_hash"] = row["hash"]
        seal = await latest(pool)
    if count == 0:
        _discard(out, created)
        raise NothingToExportError(f"no events of directive {directive_id}")
    manifest = {
        "format": FORMAT,
        "directive_id": directive_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "events": count,
        "streams": streams,
        "file": {"name": events_path.name, "sha256": digest.hexdigest()},
        "seal": None
        if seal is None
        else {"seal_no": seal.seal_no, "position": seal.position, "events": seal.events, "hash": seal.hash.hex()},
    }
    _write_manifest(out, manifest)
    return manifest


def _make_directory(out: Path) -> bool:
    """Create ``out`` if needed (an existing one must be an empty directory); whether it was created."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInputError(f"{out} exists and is not an empty directory")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    return created


def _discard(out: Path, created: bool) -> None:
    """Leave nothing behind."""
    (out / "events.jsonl").unlink()
    if created:
        out.rmdir()


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
