"""One bad input never breaks phancong for everyone: every input is bounded and normalized before anything is
written, and no stored event stops the read side. Each test is one case that broke phancong before."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
import yaml

import worker
from activities.delivery import Deliveries
from domain.actors import Actor, Role
from domain.event import DomainEvent
from domain.events.assignment import (
    ActivityLogged,
    CellJoined,
    CommuneAccepted,
    FollowUpReviewed,
    IntroductionSent,
    MemberNominated,
)
from domain.vocabulary import ActivityKind, AssignmentKind, AttendanceMode
from events import NewEvent
from tests.world import EXAMPLES, World

CELLS = "681-CT/ĐU"
HQ = "hq"
POST = "post:DBP-HAM-LUONG"


async def issued(world: World) -> None:
    """The example cell directive issued, and settled: "issued" is printed once DirectiveIssued is stored; the
    workflow then asks each of its two posts to nominate (NominationRequested), which a test counting events
    must not mistake for a refused command's."""
    await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor=HQ)
    await world.ok("directive", "issue", str(await world.directive_file(CELLS)), actor=HQ)
    for _ in range(600):
        asked = await world.harness.pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'NominationRequested'",
            f"directive-{CELLS}",
        )
        if asked >= 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the directive did not ask its posts to nominate")


async def active(world: World, member: str = "DV-HL-02", cell: str = "CB-TT-AP1") -> str:
    """An assignment accepted by its commune (so active from today)."""
    nominated = await world.ok("nominate", "--directive", CELLS, "--member", member, "--cell", cell, actor=POST)
    [assignment] = nominated["assignment_ids"]
    await world.ok("commune", "accept", assignment, actor="commune:TT-TIEM-TOM")
    return str(assignment)


async def healthy(world: World) -> None:
    """Every reader and the directive still answer."""
    assert (await world.ok("directive", "status", CELLS, actor="hq"))["status"] == "open"
    await world.ok("tasks", actor=POST)
    await world.ok("report", "--directive", CELLS, actor=HQ)
    await world.ok("assignment", "list", actor="hq")
    await world.ok("directive", "list", actor="hq")
    verified = await world.run("audit", "verify")
    assert verified.code == 0, verified.stdout


async def test_a_typo_of_an_amount_is_refused_and_changes_nothing(world: World) -> None:
    await issued(world)
    assignment = await active(world)
    before = await world.event_count()

    too_much = await world.refused(
        "activity", "log", assignment, "--date", "today", "--kind", "material_support",
        "--amount-vnd", "100000000000000000000", actor="member:DV-HL-02",
    )  # fmt: skip
    largest = await world.ok(
        "activity", "log", assignment, "--date", "today", "--kind", "material_support",
        "--amount-vnd", "1000000000000", "--quantity", "100000", actor="member:DV-HL-02",
    )  # fmt: skip

    assert too_much == "invalid_input"
    assert largest["events"] == ["ActivityLogged"]
    assert await world.event_count() == before + 1
    report = await world.ok("report", "--directive", CELLS, actor=HQ)
    assert report["material_support_vnd"] == 1_000_000_000_000
    await healthy(world)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_events_a_read_model_cannot_apply_are_recorded_and_every_reader_goes_on(world: World) -> None:
    """Events stored before the boundary held (or by another writer): an amount past any column's range, a payload
    this code cannot read, a fold that cannot follow. The read side records the last two and goes on."""
    await issued(world)
    await active(world)
    store, stream = world.harness.store, "assignment-681-CT/ĐU:DV-HL-05:CB-TT-AP2"
    today = await world.harness.today()
    payloads: list[DomainEvent] = [
        MemberNominated(
            assignment_id=stream.removeprefix("assignment-"),
            directive_id=CELLS,
            kind=AssignmentKind.CELL_PARTICIPATION,
            member_id="DV-HL-05",
            post_id="DBP-HAM-LUONG",
            commune_id="TT-TIEM-TOM",
            cell_id="CB-TT-AP2",
            nominated_on=today,
        ),
        IntroductionSent(commune_id="TT-TIEM-TOM", sent_on=today, response_due_on=today + timedelta(days=15)),
        CommuneAccepted(commune_id="TT-TIEM-TOM", cell_id="CB-TT-AP2", accepted_on=today, join_on=today),
        CellJoined(cell_id="CB-TT-AP2", joined_on=today, attendance_mode=AttendanceMode.ATTEND),
        ActivityLogged(activity_on=today, kind=ActivityKind.GIFT, amount_vnd=10**20, quantity=10**12),
        ActivityLogged.model_construct(
            activity_on=today,
            kind="bribe",  # type: ignore[arg-type]  # what a writer that skipped the model could store
            quantity=1,
            amount_vnd=1,
            in_kind="",
            household_ids=(),
            note="",
            type="ActivityLogged",
        ),
        FollowUpReviewed(round=3, period="follow-up-3", passed=False, grade="not_completed"),
    ]
    actor = Actor(role=Role.POST, id="DBP-HAM-LUONG")
    now = await world.harness.now()
    await store.append(
        stream, 0, [NewEvent(payload=p, occurred_at=now, actor=actor, directive_id=CELLS) for p in payloads]
    )

    await healthy(world)  # every reader first catches the read models up, past the three events
    status = await world.ok("projections", "status", actor="auditor")
    rebuilt = await world.ok("projections", "rebuild", actor="hq")
    after = await world.ok("projections", "status", actor="hq")

    assert [(f["projection"], f["event"]) for f in status["failures"]] == [
        ("*", f"ActivityLogged {stream}@6"),
        ("assignments", f"FollowUpReviewed {stream}@7"),
    ]
    assert "'bribe'" in status["failures"][0]["error"]
    assert "FoldError" in status["failures"][1]["error"]
    assert rebuilt["events"] > 0
    assert [f["event"] for f in after["failures"]] == [f["event"] for f in status["failures"]]
    report = await world.ok("report", "--directive", CELLS, actor=HQ)
    assert report["gifts_vnd"] == 10**20  # within every column now
    history = await world.ok("history", "assignment", stream.removeprefix("assignment-"), actor="auditor")
    assert [e["event_type"] for e in history["entries"]][-2:] == ["ActivityLogged", "FollowUpReviewed"]
    assert history["entries"][-2]["payload"]["type"] == "UndecodableEvent"  # shown as stored, with why
    assert "do not fold" in history["state"]["error"]
    await healthy(world)

    deliveries = Deliveries(world.harness.env.client, max_attempts=1, backoff_seconds=1)
    told = await worker.tell_hq_of_failures(world.harness.pool, deliveries, world.harness.task_queue)
    again = await worker.tell_hq_of_failures(world.harness.pool, deliveries, world.harness.task_queue)
    rows = await world.harness.pool.fetch(
        "SELECT recipient_role, subject, reference FROM notifications WHERE subject = 'read_model' ORDER BY reference"
    )
    assert (told, again) == (2, 0)
    assert [(r["recipient_role"], r["reference"]) for r in rows] == [
        ("hq", f"ActivityLogged {stream}@6"),
        ("hq", f"FollowUpReviewed {stream}@7"),
    ]


async def test_a_far_future_or_far_past_term_is_refused_and_the_directive_lives_on(world: World) -> None:
    await issued(world)
    before = await world.event_count()
    today = await world.harness.today()
    ten_years = (today.replace(year=today.year + 10) - timedelta(days=1)).isoformat()

    refused = {
        "amend to 9999": await world.refused("directive", "amend", CELLS, "--term-end", "9999-12-31", actor=HQ),
        "amend past ten years": await world.refused(
            "directive", "amend", CELLS, "--term-end", (today.replace(year=today.year + 11)).isoformat(), actor=HQ
        ),
        "file ending in 9999": await world.refused(
            "directive",
            "issue",
            str(await world.directive_file("1-CT/X", term={"start": today.isoformat(), "end": "9999-12-31"})),
            actor=HQ,
        ),
        "file starting in 1900": await world.refused(
            "directive",
            "issue",
            str(await world.directive_file("2-CT/X", term={"start": "1900-01-01", "end": "1901-01-01"})),
            actor=HQ,
        ),
    }
    assert refused == {
        "amend to 9999": "date_out_of_range",
        "amend past ten years": "invalid_input",
        "file ending in 9999": "invalid_directive",
        "file starting in 1900": "invalid_directive",
    }
    assert await world.event_count() == before
    amended = await world.ok("directive", "amend", CELLS, "--term-end", ten_years, actor=HQ)
    assert amended["events"] == ["DirectiveAmended"]
    await active(world)
    await healthy(world)


async def test_a_control_character_is_refused_wherever_it_comes_from(world: World) -> None:
    example = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
    example["communes"][0]["name"] = "Thị trấn\x00Tiệm Tôm"
    directory = world.tmp / "nul.json"
    directory.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")

    assert await world.refused("directory", "import", str(directory), actor=HQ) == "invalid_directory"
    await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor=HQ)
    titled = await world.directive_file(CELLS, title="Chỉ thị\x00 681")
    assert await world.refused("directive", "issue", str(titled), actor=HQ) == "invalid_directive"
    assert (await world.run("directive", "status", CELLS, actor="hq")).code == 1  # nothing was issued
    await world.ok("directive", "issue", str(await world.directive_file(CELLS)), actor=HQ)
    await healthy(world)


async def test_files_and_arguments_that_broke_the_cli_get_one_coded_line(world: World) -> None:
    await issued(world)
    nested_yaml = world.tmp / "nested.yaml"
    nested_yaml.write_text("a: " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    nested_json = world.tmp / "nested.json"
    nested_json.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    laughs = world.tmp / "laughs.yaml"
    laughs.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
        encoding="utf-8",
    )
    huge = world.tmp / "huge.yaml"
    huge.write_text("code: 9-CT/X\ntitle: " + "Chỉ thị " * 8_000_000 + "\n", encoding="utf-8")  # 60 MB
    long_title = await world.directive_file("3-CT/X", title="Chỉ thị " * 100)
    before = await world.event_count()

    refusals = {
        "nested yaml": await world.refused("directory", "import", str(nested_yaml), actor=HQ),
        "nested json": await world.refused("directory", "import", str(nested_json), actor=HQ),
        "aliases": await world.refused("directory", "import", str(laughs), actor=HQ),
        "/dev/zero": await world.refused("directory", "import", "/dev/zero", actor=HQ),
        "a directory": await world.refused("directory", "import", str(world.tmp), actor=HQ),
        "60 MB": await world.refused("directive", "issue", str(huge), actor=HQ),
        "long title": await world.refused("directive", "issue", str(long_title), actor=HQ),
        "export to /proc": await world.refused(
            "audit", "export", "--directive", CELLS, "--out", "/proc/x", actor="auditor"
        ),
        "report of 8000 years": await world.refused("report", "--from", "0001-01-01", "--to", "9999-12-31", actor=HQ),
        "as of the year 9999": await world.refused("history", "directive", CELLS, "--as-of", "9999-12-31", actor=HQ),
        "negative amount": await world.refused(
            "activity",
            "log",
            f"{CELLS}:DV-HL-02:CB-TT-AP1",
            "--date",
            "today",
            "--kind",
            "gift",
            "--amount-vnd",
            "-5",
            actor="member:DV-HL-02",
        ),
        "negative quantity": await world.refused(
            "activity",
            "log",
            f"{CELLS}:DV-HL-02:CB-TT-AP1",
            "--date",
            "today",
            "--kind",
            "workday",
            "--quantity",
            "-1",
            actor="member:DV-HL-02",
        ),
        "unknown kind": await world.refused(
            "activity",
            "log",
            f"{CELLS}:DV-HL-02:CB-TT-AP1",
            "--date",
            "today",
            "--kind",
            "bribe",
            actor="member:DV-HL-02",
        ),
        "unknown reason": await world.refused(
            "withdraw", f"{CELLS}:DV-HL-02:CB-TT-AP1", "--reason", "because", actor=POST
        ),
        "unknown option": await world.refused("tasks", "--colour", "red", actor=POST),
    }

    assert refusals == {
        "nested yaml": "invalid_file",
        "nested json": "invalid_file",
        "aliases": "invalid_file",
        "/dev/zero": "invalid_file",
        "a directory": "invalid_file",
        "60 MB": "invalid_file",
        "long title": "invalid_directive",
        "export to /proc": "invalid_input",
        "report of 8000 years": "date_out_of_range",
        "as of the year 9999": "invalid_input",
        "negative amount": "invalid_input",
        "negative quantity": "invalid_input",
        "unknown kind": "invalid_input",
        "unknown reason": "invalid_input",
        "unknown option": "invalid_input",
    }
    assert await world.event_count() == before
    await healthy(world)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


async def test_vietnamese_typed_decomposed_names_the_same_unit(world: World) -> None:
    example: dict[str, Any] = yaml.safe_load((EXAMPLES / "directory.yaml").read_text(encoding="utf-8"))
    example["posts"].append({"id": "ĐBP-HỮU-NGHỊ", "name": "Đồn Biên phòng Hữu Nghị", "communes": ["XA-AN-THUY"]})
    example["members"].append({"id": "ĐV-HN-01", "name": "Lò Văn Hữu", "post": "ĐBP-HỮU-NGHỊ"})
    composed = world.tmp / "huu-nghi.yaml"
    composed.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    decomposed = world.tmp / "huu-nghi-nfd.yaml"
    decomposed.write_text(nfd(composed.read_text(encoding="utf-8")), encoding="utf-8")
    assert nfd("ĐBP-HỮU-NGHỊ") != "ĐBP-HỮU-NGHỊ"

    first = await world.ok("directory", "import", str(composed), actor=HQ)
    again = await world.ok("directory", "import", str(decomposed), actor=HQ)
    history = await world.ok("history", "member", nfd("ĐV-HN-01"), actor=nfd("post:ĐBP-HỮU-NGHỊ"))

    assert first["added"] > 0
    assert (again["added"], again["changed"], again["removed"]) == (0, 0, 0)
    assert history["subject_id"] == "ĐV-HN-01"
    assert [e["event_type"] for e in history["entries"]] == ["DirectoryEntryAdded"]


async def test_unknown_units_and_actors_are_refused(world: World) -> None:
    await issued(world)

    refusals = {
        "unknown commune acting": await world.refused("tasks", actor="commune:KHONG-CO"),
        "unknown member acting": await world.refused(
            "activity",
            "log",
            f"{CELLS}:DV-HL-02:CB-TT-AP1",
            "--date",
            "today",
            "--kind",
            "gift",
            actor="member:DV-NOBODY",
        ),
        "commune in the wrong case": await world.refused("report", "--commune", "xa-bao-thuan", actor=HQ),
        "unknown post": await world.refused("report", "--post", "DBP-NOWHERE", actor=HQ),
        "hq with an id": await world.refused("tasks", actor="hq:SOMEONE"),
        "auditor with an id": await world.refused("report", actor="auditor:X"),
        "system": await world.refused("tasks", actor="system"),
        "an id with a space": await world.refused("tasks", actor="post:DBP HAM"),
    }

    assert refusals == {
        "unknown commune acting": "unknown_reference",
        "unknown member acting": "unknown_reference",
        "commune in the wrong case": "unknown_reference",
        "unknown post": "unknown_reference",
        "hq with an id": "invalid_actor",
        "auditor with an id": "invalid_actor",
        "system": "invalid_actor",
        "an id with a space": "invalid_actor",
    }


@pytest.mark.parametrize("words", [["today"], ["yesterday"]])
async def test_dates_may_be_written_as_words(world: World, words: list[str]) -> None:
    await issued(world)
    await world.harness.advance(2)
    assignment = await active(world)
    await world.harness.advance(1)

    logged = await world.ok(
        "activity", "log", assignment, "--date", *words, "--kind", "workday", actor="member:DV-HL-02"
    )

    assert logged["events"] == ["ActivityLogged"]
