"""A whole directive run from the command line, as its users would, against real servers.

The CLI runs as separate processes; the worker runs in the test on a time-skipping Temporal server, so the
test can let weeks pass between commands.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from domain.calendar import add_months, period_of
from domain.policy import DirectivePolicy
from tests.world import World

EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def kinds(tasks: list[dict[str, Any]]) -> list[str]:
    return [t["kind"] for t in tasks]


async def test_a_directive_from_import_to_close_through_the_cli(world: World) -> None:
    imported = await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor="hq")
    directive = await world.directive_file("681-CT/ĐU")
    issued = await world.ok("directive", "issue", str(directive), actor="hq")
    again = await world.ok("directive", "issue", str(directive), actor="hq")
    assert (imported["added"], issued["outcome"], again["outcome"]) == (28, "issued", "already_issued")

    assert kinds(await world.ok("tasks", actor="post:DBP-HAM-LUONG")) == ["nomination"]
    nominated = await world.ok(
        "nominate", "--directive", "681-CT/ĐU", "--member", "DV-HL-02", "--cell", "CB-TT-AP1",
        "--member", "DV-HL-04", "--cell", "CB-TT-AP3", "--resolution", "15-NQ/ĐU", actor="post:DBP-HAM-LUONG",
    )  # fmt: skip
    first, second = nominated["assignment_ids"]
    commune_tasks = await world.ok("tasks", actor="commune:TT-TIEM-TOM")
    assert sorted(t["assignment_id"] for t in commune_tasks) == sorted([first, second])
    assert all(t["kind"] == "commune_response" for t in commune_tasks)

    accepted = await world.ok("commune", "accept", first, "--cell", "CB-TT-AP2", actor="commune:TT-TIEM-TOM")
    declined = await world.ok(
        "commune", "decline", second, "--reason", "Chi bộ đang kiện toàn", actor="commune:TT-TIEM-TOM"
    )
    assert (accepted["stage"], declined["stage"]) == ("active", "ended")
    await world.harness.advance(1)
    replacement = [t for t in await world.ok("tasks", actor="post:DBP-HAM-LUONG") if t["kind"] == "replacement"]
    assert [t["reference"] for t in replacement] == ["CB-TT-AP3"]
    replacing = await world.ok(
        "nominate",
        "--directive",
        "681-CT/ĐU",
        "--member",
        "DV-HL-05",
        "--cell",
        "CB-TT-AP3",
        actor="post:DBP-HAM-LUONG",
    )
    third = replacing["assignment_ids"][0]
    await world.ok("commune", "accept", third, actor="commune:TT-TIEM-TOM")

    today = await world.harness.today()
    meeting = date(today.year, today.month, 20) if today.day <= 20 else add_months(date(today.year, today.month, 20), 1)
    await world.harness.advance_to(meeting, hour=19)
    recorded = await world.ok("meeting", "record", first, "--date", meeting.isoformat(), "--attendance", "present",
                        "--contribution", "border_briefing", actor="cell:CB-TT-AP2")  # fmt: skip
    logged = await world.ok("activity", "log", first, "--date", meeting.isoformat(), "--kind", "material_support",
                      "--amount-vnd", "2000000", "--in-kind", "10 kg gạo", actor="member:DV-HL-02")  # fmt: skip
    assert (recorded["events"], logged["events"]) == (["MeetingRecorded"], ["ActivityLogged"])

    shown = await world.ok("assignment", "show", first, actor="commune:TT-TIEM-TOM")
    period_end = next(p for p in _quarter_ends(meeting))
    period = period_of(date(period_end.year, period_end.month, 1), DirectivePolicy()).label  # the meeting's review
    await world.harness.advance_to(period_end + timedelta(days=2))
    appraisals = [t for t in await world.ok("tasks", actor="cell:CB-TT-AP2") if t["kind"] == "appraisal"]
    # A member who joined in the last days of the previous period owes that period's appraisal too.
    assert {t["assignment_id"] for t in appraisals} == {first}
    assert period in [t["reference"] for t in appraisals]
    await world.ok(
        "appraisal",
        "submit",
        first,
        "--period",
        period,
        "--text",
        "Tích cực thông tin tình hình",
        actor="cell:CB-TT-AP2",
    )
    assert kinds(await world.ok("tasks", actor="post:DBP-HAM-LUONG")).count("grade") == 1
    graded = await world.ok("grade", first, "--period", period, "--grade", "excellent", actor="post:DBP-HAM-LUONG")
    corrected = await world.ok("correct", first, "--reason", "Chưa nắm chắc tình hình địa bàn", actor="hq")
    paused = await world.ok("pause", first, "--reason", "Huấn luyện tập trung", actor="post:DBP-HAM-LUONG")
    resumed = await world.ok("resume", first, actor="post:DBP-HAM-LUONG")
    rotated = await world.ok("withdraw", third, "--reason", "rotated", actor="post:DBP-HAM-LUONG")
    assert shown["placed_cell_id"] == "CB-TT-AP2"
    assert graded["events"] == ["MemberGraded", "Commended"]
    assert corrected["events"] == ["CorrectionIssued"]
    assert (paused["stage"], resumed["stage"], rotated["stage"]) == ("paused", "active", "ended")

    status = await world.ok("directive", "status", "681-CT/ĐU", actor="post:DBP-HAM-LUONG")
    closed = await world.ok("directive", "close", "681-CT/ĐU", "--reason", "Tổng kết chỉ thị", actor="hq")
    listed = await world.ok("assignment", "list", "--directive", "681-CT/ĐU", actor="hq")
    verify = await world.run("audit", "verify")
    assert status["figures"]["cells_covered"] == 1
    assert status["figures"]["cells_in_scope"] == 6
    assert closed["directive_id"] == "681-CT/ĐU"
    assert {(r["member_id"], r["end_reason"]) for r in listed} == {
        ("DV-HL-02", "term_completed"),
        ("DV-HL-04", "declined_by_commune"),
        ("DV-HL-05", "rotated"),
    }
    assert verify.code == 0, verify.stdout


def _quarter_ends(after: date) -> list[date]:
    ends = []
    for months in range(0, 4):
        first = add_months(date(after.year, after.month, 1), months)
        if first.month % 3 == 0:
            ends.append(add_months(first, 1) - timedelta(days=1))
    return ends


async def test_every_refused_cli_command_says_why_in_one_line_and_changes_nothing(world: World) -> None:
    bad_yaml = world.tmp / "bad.yaml"
    bad_yaml.write_text("communes: [unclosed", encoding="utf-8")
    example = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
    example["cells"][0]["meeting_day"] = 40
    out_of_range = world.tmp / "day.yaml"
    out_of_range.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    example["cells"][0]["meeting_day"] = 15
    example["members"][2]["post"] = "DBP-NOWHERE"
    dangling = world.tmp / "dangling.yaml"
    dangling.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")

    assert await world.refused("directory", "import", str(bad_yaml), actor="hq") == "invalid_file"
    day_refusal = await world.run("directory", "import", str(out_of_range), actor="hq")
    post_refusal = await world.run("directory", "import", str(dangling), actor="hq")
    assert "day.yaml: cells[0] (CB-TT-AP1).meeting_day: Input should be less than or equal to 31" in day_refusal.stderr
    assert "dangling.yaml: members[2] (DV-HL-03).post: unknown post 'DBP-NOWHERE'" in post_refusal.stderr
    assert await world.event_count() == 0
    assert (
        await world.refused("directory", "import", str(EXAMPLES / "directory.yaml"), actor="post:DBP-BA-TRI")
        == "forbidden"
    )
    assert await world.refused("directory", "import", str(EXAMPLES / "directory.yaml")) == "invalid_actor"
    assert await world.refused("directory", "import", str(world.tmp / "missing.yaml"), actor="hq") == "file_not_found"

    await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor="hq")
    nowhere = await world.directive_file("99-CT/X", scope={"communes": ["XA-NOWHERE"]})
    assert await world.refused("directive", "issue", str(nowhere), actor="hq") == "invalid_directive"
    assert (
        "scope.communes: unknown commune 'XA-NOWHERE'"
        in (await world.run("directive", "issue", str(nowhere), actor="hq")).stderr
    )
    directive = await world.directive_file("681-CT/ĐU")
    assert await world.refused("directive", "issue", str(directive), actor="auditor") == "forbidden"
    await world.ok("directive", "issue", str(directive), actor="hq")
    changed = await world.directive_file("681-CT/ĐU", title="Một tiêu đề khác")
    assert await world.refused("directive", "issue", str(changed), actor="hq") == "already_issued"
    nominated = await world.ok(
        "nominate",
        "--directive",
        "681-CT/ĐU",
        "--member",
        "DV-HL-02",
        "--cell",
        "CB-TT-AP1",
        actor="post:DBP-HAM-LUONG",
    )
    assignment = nominated["assignment_ids"][0]
    await world.settled(assignment)
    before = await world.event_count()

    nominate = ["nominate", "--directive", "681-CT/ĐU", "--member"]
    post, cell = "post:DBP-HAM-LUONG", "cell:CB-TT-AP1"
    refusals = [
        ("forbidden", [*nominate, "DV-BT-01", "--cell", "CB-TT-AP2"], post),
        ("not_found", [*nominate, "DV-NOBODY", "--cell", "CB-TT-AP2"], post),
        ("out_of_scope", [*nominate, "DV-HL-03", "--cell", "CB-BT-AP1"], post),
        ("not_found", ["nominate", "--directive", "NO-SUCH", "--member", "DV-HL-03", "--cell", "CB-TT-AP2"], post),
        ("forbidden", ["commune", "accept", assignment], "commune:XA-AN-THUY"),
        ("forbidden", ["commune", "accept", assignment], "auditor"),
        ("not_found", ["commune", "accept", "681-CT/ĐU:DV-NOBODY:CB-TT-AP1"], "commune:TT-TIEM-TOM"),
        ("invalid_input", ["commune", "accept", assignment, "--join-on", "mai"], "commune:TT-TIEM-TOM"),
        ("wrong_state", ["meeting", "record", assignment, "--date", "2026-01-01", "--attendance", "present"], cell),
        ("wrong_state", ["resume", assignment], post),
        ("invalid_actor", ["tasks"], "general:X"),
    ]
    got = [(code, await world.refused(*args, actor=actor)) for code, args, actor in refusals]

    assert [g for _, g in got] == [c for c, _ in got]
    assert await world.event_count() == before
    as_json = await world.run("commune", "accept", assignment, "--json", actor="commune:XA-AN-THUY")
    assert json.loads(as_json.stdout)["error"]["code"] == "forbidden"
