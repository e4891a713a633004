"""Households' sensitive fields at rest: a dump of the whole database holds none of them, readers allowed them still
read them, and an erasure (crypto-shredding) makes them unreadable everywhere while the record still verifies."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from app.directory import browse
from domain.actors import Actor, Role
from events import EventStore
from infra.postgres import Pool
from phancong.composition import import_directory, postgres_services
from phancong.embedded import pgserver
from phancong.settings import Settings
from tests.cli import Result, clean_env, phancong
from tests.world import EXAMPLES

pytestmark = pytest.mark.timeout(180)

HQ = Actor(role=Role.HQ)
DIRECTORY = EXAMPLES / "directory.yaml"


def sensitive_values(path: Path) -> dict[str, list[str]]:
    """Each household's values that must never be stored readable: its head, denomination, sensitive tags."""
    households = yaml.safe_load(path.read_text("utf-8"))["households"]
    found: dict[str, list[str]] = {}
    for h in households:
        tags = [t for t in h.get("tags", []) if t in ("religion", "cross_border_kin", "complex_political_relations")]
        found[h["id"]] = [v for v in (h.get("head"), h.get("denomination"), *tags) if v]
    return found


def dump(database_url: str) -> str:
    """The whole database as ``pg_dump`` writes it (schema and data; as the database's owner, who reads all)."""
    utils = pgserver().utils
    binary = utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION] / "pg_dump"
    done = subprocess.run(
        [str(binary), "--dbname", database_url], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def leaks(text: str, values: dict[str, list[str]]) -> list[str]:
    """The values found in ``text``, as written or JSON-escaped."""
    return sorted({v for vs in values.values() for v in vs if v in text or json.dumps(v)[1:-1] in text})


async def test_a_dump_of_the_whole_database_holds_no_sensitive_value(
    pool: Pool, domain_store: EventStore, database_url: str
) -> None:
    await import_directory(pool, domain_store, DIRECTORY, HQ, datetime.now(UTC))
    values = sensitive_values(DIRECTORY)
    flat = {v for vs in values.values() for v in vs}
    assert {"Lê Văn Kha", "Phật giáo Hòa Hảo", "religion", "cross_border_kin", "complex_political_relations"} <= flat

    # HQ still reads them (the vault opens them), and the directory's readers see them as before
    s = postgres_services(pool, domain_store, None, settings=Settings(database_url=database_url))  # type: ignore[arg-type]
    revealed = {h.id: h for h in await s.directory.households(reveal=True)}
    assert revealed["HH-003"].head == "Lê Văn Kha"
    assert revealed["HH-003"].denomination == "Phật giáo Hòa Hảo"
    assert [str(t) for t in revealed["HH-006"].tags] == ["poor", "cross_border_kin"]
    found = {f.id: f for f in await browse(s, HQ, "households", "Kha")}
    assert found["HH-003"].tags == ("religion", "denomination: Phật giáo Hòa Hảo")

    text = dump(database_url)
    assert "HH-003" in text  # the dump holds the directory,
    assert "border_farmland" in text  # and its clear parts
    assert leaks(text, values) == []
    # not even in what the key table holds: only wrapped keys, never a master key
    assert (await pool.fetchval("SELECT count(*) FROM household_keys WHERE wrapped IS NOT NULL")) == len(values)


def cli(env: dict[str, str], *args: str) -> Result:
    return phancong(*args, env=env, timeout=120)


def refused(result: Result, code: str) -> None:
    assert result.code != 0, result.stdout
    assert f"error[{code}]" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


async def test_an_erased_household_reads_erased_everywhere_and_the_record_still_verifies(
    pool: Pool, database_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "master.keys"
    env = clean_env(
        PHANCONG_DATABASE_URL=database_url,
        PHANCONG_STATE_DIR=str(tmp_path / "state"),
        PHANCONG_MASTER_KEYS_FILE=str(keys),
    )
    refused(cli(env, "directory", "import", str(DIRECTORY), "--as", "hq"), "invalid_configuration")  # no key file
    assert cli(env, "keys", "add", str(keys)).code == 0
    assert cli(env, "directory", "import", str(DIRECTORY), "--as", "hq").code == 0

    # the master key rotated: every data key rewrapped with the new one, no event rewritten, and all still open
    events = await pool.fetchval("SELECT count(*) FROM events")
    assert cli(env, "keys", "add", str(keys)).code == 0
    rewrapped = cli(env, "keys", "rewrap", "--json")
    assert rewrapped.code == 0, rewrapped.stderr
    assert rewrapped.json()["rewrapped"] == len(sensitive_values(DIRECTORY))
    assert rewrapped.json()["master_key_id"] == keys.read_text().split()[0]
    assert await pool.fetchval("SELECT count(DISTINCT master_key_id) FROM household_keys") == 1
    assert await pool.fetchval("SELECT count(*) FROM events") == events
    before = json.loads(cli(env, "history", "cell", "CB-TT-AP1", "--as", "hq", "--json").stdout)
    assert "Lê Văn Kha" in json.dumps(before, ensure_ascii=False)
    found = cli(env, "directory", "show", "--kind", "households", "--search", "kha", "--as", "hq", "--json").json()
    assert [(f["id"], f["name"], f["tags"], f["erased"]) for f in found] == [
        ("HH-003", "Lê Văn Kha", ["religion", "denomination: Phật giáo Hòa Hảo"], False)
    ]
    commune = cli(env, "directory", "show", "--kind", "households", "--as", "commune:TT-TIEM-TOM", "--json").json()
    assert {f["id"] for f in commune} >= {"HH-003"}
    assert all(
        f["tags"]
        == [t for t in f["tags"] if t in ("poor", "border_farmland", "policy_or_hardship", "revolutionary_merit")]
        for f in commune
    )
    refused(cli(env, "directory", "show", "--kind", "members", "--as", "commune:TT-TIEM-TOM"), "forbidden")
    refused(cli(env, "directory", "show", "--kind", "villages", "--as", "hq"), "invalid_input")
    posts = cli(env, "directory", "show", "--kind", "posts", "--as", "hq")
    assert "DBP-HAM-LUONG" in posts.stdout

    # refusals first: each with its code, and nothing erased
    refused(cli(env, "household", "erase", "HH-003", "--reason", "asked", "--as", "commune:TT-TIEM-TOM"), "forbidden")
    refused(cli(env, "household", "erase", "HH-404", "--reason", "asked", "--as", "hq"), "not_found")
    refused(cli(env, "household", "erase", "HH-003", "--reason", "", "--as", "hq"), "invalid_input")
    assert await pool.fetchval("SELECT count(*) FROM household_keys WHERE wrapped IS NULL") == 0

    erased = cli(env, "household", "erase", "HH-003", "--reason", "the family asked (Decree 13, art. 16)", "--as", "hq")
    assert erased.code == 0, erased.stderr
    assert "HH-003 erased" in erased.stdout
    refused(cli(env, "household", "erase", "HH-003", "--reason", "again", "--as", "hq"), "wrong_state")

    # history: the household's events are all there, its secrets read as erased; its neighbours' still open
    after = cli(env, "history", "cell", "CB-TT-AP1", "--as", "hq", "--json")
    assert after.code == 0, after.stderr
    entries = json.loads(after.stdout)["entries"]
    added = next(e for e in entries if e["payload"].get("entry_id") == "HH-003")
    assert added["payload"]["data"]["erased"] is True
    assert added["payload"]["data"]["head"] == ""
    assert added["payload"]["data"]["denomination"] is None
    assert added["payload"]["data"]["tags"] == []
    assert entries[-1]["event_type"] == "HouseholdErased"
    assert entries[-1]["payload"]["reason"] == "the family asked (Decree 13, art. 16)"
    assert "Lê Văn Kha" not in after.stdout
    assert "Hòa Hảo" not in after.stdout
    assert "Nguyễn Thị Hoa" in after.stdout
    shown = cli(env, "directory", "show", "--kind", "households", "--search", "HH-003", "--as", "hq", "--json").json()
    assert [(f["name"], f["tags"], f["erased"]) for f in shown] == [("HH-003", [], True)]

    # the record is unchanged and verifies without any key; a new import does not bring the secrets back
    verified = cli(env, "audit", "verify", "--as", "auditor", "--json")
    assert verified.code == 0, verified.stdout + verified.stderr
    again = cli(env, "directory", "import", str(DIRECTORY), "--as", "hq")
    assert again.code == 0, again.stderr
    assert "no differences" in again.stdout
    text = dump(database_url)
    assert leaks(text, {"HH-003": sensitive_values(DIRECTORY)["HH-003"]}) == []
    assert await pool.fetchval("SELECT wrapped FROM household_keys WHERE household_id = 'HH-003'") is None
