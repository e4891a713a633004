"""A past directive's record brought in from the province's own spreadsheet, then read as any record: its report
by year equals the file's own sums, figure by figure; its history carries the real dates and the mark of where it
came from; a bad file, a directive still in its term or a second bring-in is refused and writes nothing."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from app.reports import ACTIVITY_KINDS
from domain.calendar import VIETNAM
from infra.postgres import Pool
from tests.cli import Result, clean_env, phancong
from tests.world import EXAMPLES

pytestmark = pytest.mark.timeout(300)

DIRECTIVE = EXAMPLES / "past" / "directive-2019.yaml"
RECORDS = EXAMPLES / "past" / "records-2019.csv"
CODE = "194-KH/ĐU"


def rows() -> list[dict[str, str]]:
    with RECORDS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_by_year() -> dict[str, dict[str, Any]]:
    """Each year's figures computed from the CSV alone (without phancong)."""
    records = rows()
    service = {
        r["member"]: (date.fromisoformat(r["date"]), date.fromisoformat(r["end_date"] or "2021-12-31"))
        for r in records
        if r["record"] == "assignment"
    }
    years: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for year in ("2019", "2020", "2021"):
        first, last = date(int(year), 1, 1), date(int(year), 12, 31)
        years[year]["members_in_cells"] = sum(1 for a, b in service.values() if a <= last and b >= first)
        ended = [m for m, (_, b) in service.items() if first <= b <= last and b < date(2021, 12, 31)]
        years[year]["rotations"] = len(ended)
    activities: dict[str, Counter[str]] = defaultdict(Counter)
    grades: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        year = r["date"][:4]
        match r["record"]:
            case "meeting":
                years[year]["meetings_recorded"] += 1
                years[year]["meetings_present"] += r["attendance"] == "present"
            case "activity":
                activities[year][r["kind"]] += int(r["quantity"] or 1)
                if r["kind"] == "material_support":
                    years[year]["material_support_vnd"] += int(r["amount_vnd"])
                if r["kind"] == "gift":
                    years[year]["gifts_vnd"] += int(r["amount_vnd"])
            case "grade":
                grades[year][r["grade"]] += 1
            case "commendation":
                years[year]["commendations"] += 1
            case "correction":
                years[year]["corrections"] += 1
    out: dict[str, dict[str, Any]] = {}
    for year, figures in years.items():
        out[year] = {
            **{
                k: figures.get(k, 0)
                for k in (
                    "members_in_cells",
                    "meetings_recorded",
                    "meetings_present",
                    "material_support_vnd",
                    "gifts_vnd",
                    "commendations",
                    "corrections",
                    "rotations",
                )
            },
            "activities": {k: activities[year].get(k, 0) for k in ACTIVITY_KINDS},
            "grades": {g: grades[year].get(g, 0) for g in ("excellent", "good", "completed", "not_completed")},
        }
    return out


def cli(env: dict[str, str], *args: str) -> Result:
    return phancong(*args, env=env, timeout=120)


def refused(result: Result) -> str:
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    return line[line.index("[") + 1 : line.index("]")]


async def events(pool: Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM events")
    return count


async def test_a_past_directive_brought_in_reports_by_year_what_its_file_says(
    pool: Pool, database_url: str, tmp_path: Path
) -> None:
    env = clean_env(PHANCONG_DATABASE_URL=database_url, PHANCONG_STATE_DIR=str(tmp_path / "state"))
    assert cli(env, "directory", "import", str(EXAMPLES / "directory.yaml"), "--as", "hq").code == 0
    before = await events(pool)

    # A preview writes nothing, and says what the file holds
    preview = cli(env, "directive", "bring-in", str(DIRECTIVE), str(RECORDS), "--as", "hq", "--json")
    assert preview.code == 0, preview.stderr
    said = preview.json()
    kinds = Counter(r["record"] for r in rows())
    assert (said["recorded"], said["assignments"], said["meetings"], said["activities"]) == (
        False, kinds["assignment"], kinds["meeting"], kinds["activity"],
    )  # fmt: skip
    assert (said["grades"], said["commendations"], said["corrections"]) == (
        kinds["grade"], kinds["commendation"], kinds["correction"],
    )  # fmt: skip
    assert await events(pool) == before

    # The same record from Excel reads the same
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    with RECORDS.open(encoding="utf-8") as f:
        for line in csv.reader(f):
            sheet.append([int(v) if v.isdigit() else v for v in line])
    book.save(tmp_path / "records.xlsx")
    excel = cli(env, "directive", "bring-in", str(DIRECTIVE), str(tmp_path / "records.xlsx"), "--as", "hq", "--json")
    assert excel.code == 0, excel.stderr
    assert {k: v for k, v in excel.json().items() if k not in ("source", "source_sha256")} == {
        k: v for k, v in said.items() if k not in ("source", "source_sha256")
    }

    # Bad files and a directive still in its term are refused whole: nothing is written
    def variant(name: str, change: Any) -> Path:
        changed = [dict(r) for r in rows()]
        change(changed)
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(changed[0]))
            writer.writeheader()
            writer.writerows(changed)
        return path

    unknown = variant("unknown.csv", lambda rs: rs.append({**rs[0], "member": "DV-NOBODY"}))
    early = variant("early.csv", lambda rs: rs.append({**rs[5], "date": "2019-01-02"}))  # before any assignment
    short = variant("short.csv", lambda rs: rs.append({**rs[5], "attendance": ""}))
    running = yaml.safe_load(DIRECTIVE.read_text(encoding="utf-8"))
    today = datetime.now(VIETNAM).date()
    running["term"] = {
        "start": (today - timedelta(days=300)).isoformat(),
        "end": (today + timedelta(days=60)).isoformat(),
    }
    running["issued_on"] = (today - timedelta(days=300)).isoformat()
    (tmp_path / "running.yaml").write_text(yaml.safe_dump(running, allow_unicode=True), encoding="utf-8")
    header = tmp_path / "header.csv"
    header.write_text("record,member,day\nmeeting,DV-HL-01,2019-03-15\n", encoding="utf-8")
    assert {
        "unknown member": refused(cli(env, "directive", "bring-in", str(DIRECTIVE), str(unknown), "--as", "hq")),
        "outside service": refused(cli(env, "directive", "bring-in", str(DIRECTIVE), str(early), "--as", "hq")),
        "missing field": refused(cli(env, "directive", "bring-in", str(DIRECTIVE), str(short), "--as", "hq")),
        "bad header": refused(cli(env, "directive", "bring-in", str(DIRECTIVE), str(header), "--as", "hq")),
        "in its term": refused(
            cli(env, "directive", "bring-in", str(tmp_path / "running.yaml"), str(RECORDS), "--as", "hq")
        ),
        "not hq": refused(cli(env, "directive", "bring-in", str(DIRECTIVE), str(RECORDS), "--as", "post:DBP-BA-TRI")),
    } == {
        "unknown member": "invalid_input",
        "outside service": "invalid_input",
        "missing field": "invalid_records",
        "bad header": "invalid_records",
        "in its term": "wrong_state",
        "not hq": "forbidden",
    }
    assert await events(pool) == before

    recorded = cli(env, "directive", "bring-in", str(DIRECTIVE), str(RECORDS), "--as", "hq", "--confirm", "--json")
    assert recorded.code == 0, recorded.stderr
    assert recorded.json()["recorded"] is True
    assert await events(pool) == before + recorded.json()["events"]
    again = cli(env, "directive", "bring-in", str(DIRECTIVE), str(RECORDS), "--as", "hq", "--confirm")
    assert refused(again) == "already_issued"

    # The report by year equals the file's own sums, figure by figure, for each of the three years
    by_year = cli(env, "report", "--directive", CODE, "--by", "year", "--as", "hq", "--json")
    assert by_year.code == 0, by_year.stderr
    columns = {c["label"]: c for c in by_year.json()["columns"]}
    expected = expected_by_year()
    assert list(columns) == ["2019", "2020", "2021"]
    for year, figures in expected.items():
        assert {k: columns[year][k] for k in figures} == figures, year
    table = cli(env, "report", "--by", "year", "--as", "hq")
    assert "2019" in table.stdout
    assert "2021" in table.stdout

    # History: the real dates, recorded now, marked as brought in from this file
    digest = recorded.json()["source_sha256"]
    story = cli(env, "history", "assignment", f"{CODE}:DV-HL-04:CB-AT-AP1", "--as", "auditor", "--json").json()
    assert story["state"]["end_reason"] == "rotated"
    assert story["state"]["ended_on"] == "2020-06-30"
    assert story["entries"][0]["occurred_at"].startswith("2019-03-01")
    assert all(e["recorded_at"][:4] >= "2026" for e in story["entries"])
    # As things stood on a business date: DV-HL-04 was serving at the end of 2019 (recorded years later), and its
    # record then had 2019's meetings only; as recorded before the bring-in, there was nothing.
    on = cli(env, "history", "assignment", f"{CODE}:DV-HL-04:CB-AT-AP1", "--on", "2019-12-31", "--as", "hq", "--json")
    then = on.json()
    assert (then["on"], then["state"]["stage"], then["state"]["ended_on"]) == ("2019-12-31", "active", None)
    held = [r for r in rows() if r["member"] == "DV-HL-04" and r["record"] == "meeting" and r["date"] < "2020"]
    present = sum(1 for r in held if r["attendance"] == "present")
    assert then["state"]["meetings"] == f"{present}/{len(held)} present"
    before_it = cli(env, "history", "assignment", f"{CODE}:DV-HL-04:CB-AT-AP1", "--as-of", "2020-01-01", "--as", "hq")
    assert refused(before_it) == "not_found"
    marks = await pool.fetch("SELECT DISTINCT causation_id FROM events WHERE directive_id = $1", CODE)
    assert [r["causation_id"] for r in marks] == [f"brought-in:{digest[:16]}"]
    directive = cli(env, "history", "directive", CODE, "--as", "auditor", "--json").json()
    brought = next(e for e in directive["entries"] if e["event_type"] == "RecordBroughtIn")
    assert (brought["payload"]["source"], brought["payload"]["source_sha256"]) == ("records-2019.csv", digest)
    verified = cli(env, "audit", "verify", "--as", "auditor", "--json")
    assert verified.code == 0, verified.stdout
    assert json.loads(verified.stdout)["ok"] is True
