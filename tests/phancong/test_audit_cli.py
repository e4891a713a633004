"""`phancong audit seal|verify|export` as an auditor runs them, and the export checked offline with the
stdlib-only script of docs/auditing.md."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from events import EventStore
from infra.postgres import Pool
from simulation import synthetic
from tests.cli import clean_env, phancong
from tests.events.test_store import tamper
from tests.test_auditor_script import block

PROVINCE = synthetic.Province("SYN-9/ĐU", communes=2, cells_per_commune=2, starts_on=date(2026, 1, 1), months=4)


def offline(export: Path, *manifest: Path) -> subprocess.CompletedProcess[str]:
    script = export.parent / "verify_chain.py"
    script.write_text(block("python"), encoding="utf-8")
    args = [sys.executable, "-I", str(script), str(export), *map(str, manifest)]
    return subprocess.run(args, capture_output=True, text=True, check=False)


def from_the_folder(out: Path) -> subprocess.CompletedProcess[str]:
    """The export's own script, run in the export's folder alone, as an auditor would."""
    args = [sys.executable, "-I", "verify_chain.py", "events.jsonl", "manifest.json"]
    return subprocess.run(args, cwd=out, capture_output=True, text=True, check=False)


async def test_an_auditor_seals_verifies_exports_and_catches_what_was_changed(
    domain_store: EventStore, pool: Pool, database_url: str, tmp_path: Path
) -> None:
    written = await synthetic.write(domain_store, PROVINCE, 5, writers=2)
    env = clean_env(PHANCONG_DATABASE_URL=database_url, PHANCONG_STATE_DIR=str(tmp_path / "state"))

    unsealed = phancong("audit", "verify", "--as", "auditor", env=env)
    refused = phancong("audit", "seal", "--as", "commune:TT-TIEM-TOM", env=env)
    sealed = phancong("audit", "seal", "--json", env=env).json()["sealed"]
    verified = phancong("audit", "verify", "--as", "auditor", "--json", env=env)
    kept = sealed["hash"]
    out = tmp_path / "export"
    exported = phancong("audit", "export", "--directive", PROVINCE.directive_id, "--out", str(out), "--as", "auditor",
                        "--json", env=env)  # fmt: skip
    events_file, manifest_file = out / "events.jsonl", out / "manifest.json"
    assert (out / "verify_chain.py").read_text(encoding="utf-8") == block("python")  # the export holds its script
    alone = from_the_folder(out)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    intact = offline(events_file, manifest_file)

    assert unsealed.code == 0, unsealed.stdout
    assert f"the global log has no seal yet ({written:,} events): run `phancong audit seal`" in unsealed.stdout
    assert (refused.code, refused.stderr.split(":")[0]) == (1, "error[forbidden]")
    assert sealed["events"] == written  # the refused seal sealed nothing
    assert verified.code == 0, verified.stdout
    assert verified.json()["latest_seal"]["hash"] == kept
    assert exported.code == 0, exported.stderr
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert manifest["events"] == written
    assert len(manifest["streams"]) == 6  # the directive and its five assignments
    assert manifest["seal"]["hash"] == kept
    assert intact.returncode == 0, intact.stdout
    assert intact.stdout.splitlines()[-1] == "manifest: 6 streams, " + f"{written} events; 0 mismatched"

    lines = events_file.read_text(encoding="utf-8").splitlines(keepends=True)
    altered = tmp_path / "altered.jsonl"
    victim = json.loads(lines[5])
    victim["actor_id"] = "DBP-KHAC"
    altered.write_text(
        "".join([*lines[:5], json.dumps(victim, ensure_ascii=False) + "\n", *lines[6:]]), encoding="utf-8"
    )
    first = json.loads(lines[0])
    shortened = tmp_path / "shortened.jsonl"
    last_of_first = max(i for i, line in enumerate(lines) if json.loads(line)["stream_id"] == first["stream_id"])
    shortened.write_text("".join(lines[:last_of_first] + lines[last_of_first + 1 :]), encoding="utf-8")
    changed, cut = offline(altered, manifest_file), offline(shortened, manifest_file)
    assert changed.returncode == 1
    assert f"BROKEN {victim['stream_id']}@{victim['stream_version']}" in changed.stdout
    assert "content does not match" in changed.stdout
    assert cut.returncode == 1
    assert f"MANIFEST {first['stream_id']}" in cut.stdout  # the chain alone is intact; the manifest is not

    await tamper(
        pool,
        "DELETE FROM events WHERE stream_id = $1 AND stream_version = "
        "(SELECT max(stream_version) FROM events WHERE stream_id = $1)",
        synthetic.assignment_events(PROVINCE, 0, random.Random(0))[0],
    )
    broken = phancong("audit", "verify", env=env)
    assert broken.code == 1
    assert "every stream's hash chain verifies" in broken.stdout  # a removed tail leaves the chain whole
    assert "BROKEN log: seal #1" in broken.stdout
    assert "removed or added" in broken.stdout

    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE log_seals DISABLE TRIGGER log_seals_append_only")
        await conn.execute("DELETE FROM log_seals")
        await conn.execute("ALTER TABLE log_seals ENABLE TRIGGER log_seals_append_only")
    forgotten = phancong("audit", "verify", "--expect-seal", kept, env=env)
    assert forgotten.code == 1
    assert f"the seal {kept} is no longer in the record" in forgotten.stdout
