"""HQ's report, histories and sensitive data, on a directive lived through the public CLI for four months.

Every figure `phancong report` prints is compared with the same figure computed here from the scenario's own
ledger of inputs (tests/reports/expected.py), for the province, for one post, mid-term and after the term.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml

from directory.model import SENSITIVE_TAGS, HouseholdTag
from tests.reports.expected import cells_report, households_report
from tests.reports.scenario import CELLS, HOUSEHOLDS, ROTATED, Scenario
from tests.world import EXAMPLES, World


def subset(report: dict[str, Any], expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Figures that differ: name -> (reported, expected)."""
    got = dict(report)
    got["cells_by_category"] = {k: list(v) for k, v in report.get("cells_by_category", {}).items()}
    return {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}


@pytest.mark.timeout(600)  # four months lived through the CLI: about 80 s on 2 cores, more under load
async def test_every_report_figure_equals_the_one_computed_from_the_inputs(world: World) -> None:
    s = Scenario(world)
    await s.start()
    ledger = s.ledger
    assert ledger.issued_on is not None
    assert ledger.term_ends_on is not None
    await s.live_until(ledger.issued_on + timedelta(days=44))
    before_rotation = datetime.now(UTC)  # as recorded: before the post rotates DV-HL-03 out
    await s.live_until(ledger.issued_on + timedelta(days=76))

    middle = await world.harness.today()
    start = ledger.issued_on
    window = ["--from", start.isoformat(), "--to", middle.isoformat()]
    province = await world.ok("report", "--directive", CELLS, *window, actor="hq")
    ba_tri = await world.ok("report", "--directive", CELLS, *window, actor="post:DBP-BA-TRI")
    hq_on_ba_tri = await world.ok("report", "--directive", CELLS, "--post", "DBP-BA-TRI", *window, actor="hq")
    later = ["--from", (start + timedelta(days=30)).isoformat(), "--to", middle.isoformat()]
    second_month = await world.ok("report", "--directive", CELLS, *later, actor="auditor")

    assert subset(province, cells_report(ledger, start, middle)) == {}
    assert subset(ba_tri, cells_report(ledger, start, middle, "DBP-BA-TRI")) == {}
    assert hq_on_ba_tri == ba_tri
    assert subset(second_month, cells_report(ledger, start + timedelta(days=30), middle)) == {}

    # Reproducible: HH-003 loses its religion in a new directory; a period that ended before reads as it did, a
    # period that ends after the change counts the directory as it then stood. The original comes back after.
    past = ["--directive", HOUSEHOLDS, "--from", start.isoformat(), "--to", (middle - timedelta(days=1)).isoformat()]
    printed = await world.ok("report", *past, actor="hq")
    printed_at = datetime.now(UTC)  # as recorded: the instant the report was printed
    assert printed["households_by_tag"]["religion"] == 1
    changed = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
    for h in changed["households"]:
        if h["id"] == "HH-003":
            h["tags"], h["denomination"] = ["poor"], None
    (world.tmp / "directory-changed.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert (await world.ok("directory", "import", str(world.tmp / "directory-changed.yaml"), actor="hq"))["changed"]
    assert await world.ok("report", *past, actor="hq") == printed
    await s.live_until(ledger.issued_on + timedelta(days=80))
    after = await world.harness.today()
    later = await world.ok("report", *past[:4], "--to", after.isoformat(), actor="hq")
    assert (later["households_by_tag"]["religion"], later["households_by_tag"]["poor"]) == (
        0,
        printed["households_by_tag"]["poor"] + 1,
    )
    assert (await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor="hq"))["changed"]
    assert province["overdue_tasks"] >= 3  # the skipped record, the open nomination, the replacements
    assert ba_tri["overdue_tasks"] == 1
    assert ledger.meetings
    assert ledger.activities

    # The record as it stood before the rotation: the member was serving; now the assignment has ended.
    rotated = ledger.assignments[ROTATED]
    then = await world.ok("history", "assignment", rotated, "--as-of", before_rotation.isoformat(), actor="auditor")
    now = await world.ok("history", "assignment", rotated, actor="auditor")
    assert (then["state"]["stage"], now["state"]["stage"], now["state"]["end_reason"]) == ("active", "ended", "rotated")
    assert len(then["entries"]) < len(now["entries"])
    assert all(datetime.fromisoformat(e["recorded_at"]) < before_rotation for e in then["entries"])
    # A commune reads its own members' histories (every assignment of theirs in it), not another commune's.
    own = await world.ok("history", "member", "DV-HL-02", actor="commune:TT-TIEM-TOM")
    assert {e["payload"].get("member_id") for e in own["entries"]} >= {"DV-HL-02"}
    assert await world.refused("history", "member", "DV-BT-01", actor="commune:TT-TIEM-TOM") == "forbidden"

    await s.live_until(ledger.term_ends_on + timedelta(days=3))
    final = await world.ok("report", "--directive", CELLS, actor="hq")

    # As of an instant: the report as it was printed then, though the record has grown since; and as of now, the
    # live report (made again from the events alone, in temporary read models): every figure but today's tasks.
    def figures(report: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in report.items() if k not in ("as_of", "overdue_tasks", "rows")}

    then = await world.ok("report", *past, "--as-of", printed_at.isoformat(), actor="auditor")
    assert figures(then) == figures(printed)
    assert (then["as_of"], then["overdue_tasks"]) == (printed_at.isoformat().replace("+00:00", "Z"), None)
    now_as_of = await world.ok("report", "--directive", CELLS, "--as-of", datetime.now(UTC).isoformat(), actor="hq")
    assert figures(now_as_of) == figures(final)
    households = await world.ok("report", "--directive", HOUSEHOLDS, actor="hq")

    # Side by side: each month of the term, each year, each post; every column is the report of its own period or
    # unit (the oracle's), and the months add up to the whole where a figure adds up.
    by_month = await world.ok("report", "--directive", CELLS, "--by", "month", actor="hq")
    months = by_month["columns"]
    assert months[0]["start"] == start.isoformat()
    assert months[-1]["end"] == ledger.term_ends_on.isoformat()
    for column in months:
        first, last = date.fromisoformat(column["start"]), date.fromisoformat(column["end"])
        assert (first.year, first.month) == (last.year, last.month)
        assert subset(column, cells_report(ledger, first, last, closed=True)) == {}, column["label"]
    for additive in ("meetings_recorded", "material_support_vnd", "gifts_vnd", "corrections", "rotations"):
        assert sum(c[additive] for c in months) == final[additive], additive
    by_year = await world.ok("report", "--directive", CELLS, "--by", "year", actor="hq")
    assert [c["label"] for c in by_year["columns"]] == sorted({str(c["label"])[:4] for c in months})
    by_post = await world.ok("report", "--directive", CELLS, "--by-post", actor="hq")
    assert [c["label"] for c in by_post["columns"]] == ["DBP-BA-TRI", "DBP-HAM-LUONG"]
    for column in by_post["columns"]:
        expected = cells_report(ledger, start, ledger.term_ends_on, column["label"], closed=True)
        assert subset(column, expected) == {}, column["label"]
    side = await world.run("report", "--directive", CELLS, "--by-commune", "--lang", "en", actor="hq")
    assert side.code == 0, side.stderr
    assert side.stdout.splitlines()[3].split() == ["TT-TIEM-TOM", "XA-AN-THUY", "XA-BAO-THUAN"]
    assert await world.refused("report", "--directive", CELLS, "--by", "week", actor="hq") == "invalid_input"

    assert (final["start"], final["end"]) == (start.isoformat(), ledger.term_ends_on.isoformat())
    assert subset(final, cells_report(ledger, start, ledger.term_ends_on, closed=True)) == {}
    assert subset(households, households_report(ledger, start, ledger.term_ends_on)) == {}
    assert households["households_per_member"] == 3.0
    assert ledger.grades  # the first review falls due within any four months, not always within the first 76 days
    assert final["commendations"] >= 1
    assert final["corrections"] == 1
    assert final["rotations"] == 1

    # Sensitive tags (HH-003 is religious): HQ, auditors and the sponsoring post see them; the commune does not.
    as_post = await world.ok("report", "--directive", HOUSEHOLDS, actor="post:DBP-HAM-LUONG")
    as_commune = await world.ok("report", "--directive", HOUSEHOLDS, actor="commune:TT-TIEM-TOM")
    assert (households["households_by_tag"]["religion"], as_post["households_by_tag"]["religion"]) == (1, 1)
    # The commune's report has the same keys whatever the households' sensitive tags: none of them, not even empty.
    assert list(as_commune["households_by_tag"]) == [t.value for t in HouseholdTag if t not in SENSITIVE_TAGS]
    table = await world.run("report", "--directive", HOUSEHOLDS, actor="commune:TT-TIEM-TOM")
    assert "tôn giáo" not in table.stdout
    assert "hạn chế" not in table.stdout
    for who, sees in (("auditor", True), ("post:DBP-HAM-LUONG", True), ("commune:TT-TIEM-TOM", False)):
        history = await world.run("history", "cell", "CB-TT-AP1", "--format", "json", actor=who)
        assert history.code == 0, history.stderr
        assert ("religion" in history.stdout) is sees, who
        assert ("Phật giáo Hòa Hảo" in history.stdout) is sees, who

    # Read as the province writes numbers: 125.000.000 đ, 87,5%; in English on request; CSV; a chart.
    chart = world.tmp / "bao-cao.png"
    vietnamese = await world.run("report", "--directive", CELLS, "--chart", str(chart), actor="hq")
    english = await world.run("report", "--directive", CELLS, "--lang", "en", actor="hq")
    csv_text = await world.run("report", "--directive", CELLS, "--format", "csv", actor="hq")
    support, rate = final["material_support_vnd"], final["attendance_rate"]
    assert vietnamese.code == english.code == csv_text.code == 0
    assert vietnamese.stdout.startswith(f"BÁO CÁO KẾT QUẢ THỰC HIỆN — Chỉ thị {CELLS}")
    assert f"{support:,}".replace(",", ".") + " đ" in vietnamese.stdout
    assert f"{100 * rate:.1f}%".replace(".", ",") in vietnamese.stdout
    assert f"Thời gian: {start:%d/%m/%Y} – {ledger.term_ends_on:%d/%m/%Y}" in vietnamese.stdout
    assert f"VND {support:,}" in english.stdout
    assert f"{100 * rate:.1f}%" in english.stdout
    assert csv_text.stdout.splitlines()[0] == "key,label,value"
    # The CSV holds numbers a spreadsheet reads, each equal to the JSON's.
    numbers = {r["key"]: r["value"] for r in csv.DictReader(io.StringIO(csv_text.stdout))}
    for key in ("members_in_cells", "cells_covered", "material_support_vnd", "gifts_vnd", "meetings_recorded"):
        assert int(numbers[key]) == final[key], key
    assert float(numbers["attendance_rate"]) == pytest.approx(final["attendance_rate"])
    assert int(numbers["activities.workday"]) == final["activities"]["workday"]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_report_history_and_export_refuse_bad_input_with_a_stable_code(world: World) -> None:
    s = Scenario(world)
    await s.start()
    count = await world.event_count()
    export_dir = world.tmp / "export"
    refusals = {
        "report from after to": await world.refused(
            "report", "--directive", CELLS, "--from", "2027-02-01", "--to", "2027-01-01", actor="hq"
        ),
        "report unknown directive": await world.refused("report", "--directive", "999-XX", actor="hq"),
        "report by a cell": await world.refused("report", "--directive", CELLS, actor="cell:CB-TT-AP1"),
        "report of another post": await world.refused(
            "report", "--directive", CELLS, "--post", "DBP-HAM-LUONG", actor="post:DBP-BA-TRI"
        ),
        "report bad date": await world.refused("report", "--directive", CELLS, "--to", "31/12/2026", actor="hq"),
        "report chart type": await world.refused("report", "--directive", CELLS, "--chart", "x.pdf", actor="hq"),
        "history unknown member": await world.refused("history", "member", "DV-NOBODY", actor="auditor"),
        "history another commune": await world.refused("history", "cell", "CB-BT-AP1", actor="commune:TT-TIEM-TOM"),
        "history as-of without offset": await world.refused(
            "history", "member", "DV-HL-01", "--as-of", "2026-12-01T10:00", actor="auditor"
        ),
        "export unknown directive": await world.refused(
            "audit", "export", "--directive", "999-XX", "--out", str(export_dir), actor="auditor"
        ),
        "export by a post": await world.refused(
            "audit", "export", "--directive", CELLS, "--out", str(export_dir), actor="post:DBP-BA-TRI"
        ),
        "verify bad seal": await world.refused("audit", "verify", "--expect-seal", "abc"),
    }
    assert refusals == {
        "report from after to": "date_out_of_range",
        "report unknown directive": "not_found",
        "report by a cell": "forbidden",
        "report of another post": "forbidden",
        "report bad date": "invalid_input",
        "report chart type": "invalid_input",
        "history unknown member": "not_found",
        "history another commune": "forbidden",
        "history as-of without offset": "invalid_input",
        "export unknown directive": "not_found",
        "export by a post": "forbidden",
        "verify bad seal": "invalid_input",
    }
    assert not export_dir.exists()
    assert await world.event_count() == count

    # A period outside every term is no refusal, but the report says so (and its figures of work are 0).
    outside = ["--directive", CELLS, "--from", "2019-01-01", "--to", "2019-12-31"]
    figures = await world.ok("report", *outside, actor="hq")
    assert (figures["outside_terms"], figures["members_participating"], figures["meetings_recorded"]) == (True, 0, 0)
    table = await world.run("report", *outside, actor="hq")
    assert "nằm ngoài thời hạn của mọi chỉ thị" in table.stdout
    inside = await world.ok("report", "--directive", CELLS, actor="hq")
    assert inside["outside_terms"] is False
