"""The auditors' page (docs/auditing.md): its export and its stdlib-only script verify a real stored chain."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from app.audit import verify_script
from events import EventStore
from infra.postgres import Pool
from tests.events.sample import sample
from tests.events.test_store import tamper

PAGE = (Path(__file__).parent.parent / "docs" / "auditing.md").read_text(encoding="utf-8")


def block(language: str) -> str:
    found = re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.DOTALL)
    assert len(found) == 1, f"expected one {language} block"
    return str(found[0])


async def export(pool: Pool, workdir: Path) -> Path:
    """What `psql -At -f export.sql > events.jsonl` writes: one row's JSON per line."""
    rows = await pool.fetch(block("sql"))
    path = workdir / "events.jsonl"
    path.write_text("".join(f"{row[0]}\n" for row in rows), encoding="utf-8")
    return path


def verify_chain(export: Path) -> subprocess.CompletedProcess[str]:
    script = export.parent / "verify_chain.py"
    script.write_text(block("python"), encoding="utf-8")
    return subprocess.run([sys.executable, "-I", str(script), str(export)], capture_output=True, text=True, check=False)


async def test_the_auditors_script_verifies_an_intact_chain(store: EventStore, pool: Pool, tmp_path: Path) -> None:
    await store.append("assignment-1", 0, [sample("một"), sample('hai "quoted" \\ back')])
    await store.append("assignment-1", 2, [sample("ba", member_id=None, amount_vnd=125_000_000)])
    await store.append("directive-681", 0, [sample("Đồn Biên phòng", cell_id=None)])

    result = verify_chain(await export(pool, tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "4 events in 2 streams; 0 broken"


async def test_the_auditors_script_finds_an_altered_event(store: EventStore, pool: Pool, tmp_path: Path) -> None:
    await store.append("assignment-1", 0, [sample("a"), sample("b"), sample("c")])
    (victim,) = await store.read_stream("assignment-1", after_version=1, to_version=2)
    await tamper(pool, "UPDATE events SET actor_id = 'DBP-KHAC' WHERE event_id = $1", victim.event_id)

    result = verify_chain(await export(pool, tmp_path))

    assert result.returncode == 1
    assert f"BROKEN assignment-1@2 event {victim.event_id}: content does not match" in result.stdout


def test_the_script_in_every_export_archive_is_the_one_this_page_prints() -> None:
    assert verify_script() == block("python")
