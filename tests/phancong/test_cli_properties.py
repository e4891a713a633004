"""Every CLI command and both file formats, given generated values (huge, negative, empty, control characters,
NFD, far dates, deep nesting): each run succeeds or prints one ``error[code]`` line with status 1, never a
traceback or a hang; and after each, the directive, the read side and the record are still sound."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gateway
from app.reports import report
from app.tasks import tasks
from domain.actors import Actor, Role
from projections.failures import failures
from tests.test_file_properties import mutated
from tests.world import EXAMPLES, World

CELLS = "681-CT/ĐU"
ACTIVE = f"{CELLS}:DV-HL-02:CB-TT-AP1"
INTRODUCED = f"{CELLS}:DV-HL-03:CB-TT-AP3"
ERROR_LINE = re.compile(r"^error\[[a-z_]+\]: .+$")

# What a person might type, paste or be tricked into sending (argv cannot carry a NUL: the OS refuses it).
hostile = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "-5",
            "0",
            "100000000000000000000",
            "1e9",
            "9999-12-31",
            "0001-01-01",
            "1900-01-01",
            "2100-12-31",
            "today",
            "yesterday",
            "31/12/2026",
            "hq:SOMEONE",
            "system",
            "commune:KHONG-CO",
            "DV-HL-02",
            "CB-TT-AP2",
            CELLS,
            "x" * 5000,
            "a\nb",
            "\x1b[31mđỏ\x1b[0m",
            unicodedata.normalize("NFD", "ĐBP-HỮU-NGHỊ"),
        ]
    ),
)

# Each command as a user runs it, with the places a generated value goes ({}).
TEMPLATES: list[list[str]] = [
    ["activity", "log", ACTIVE, "--date", "{}", "--kind", "{}", "--quantity", "{}", "--amount-vnd", "{}",
     "--in-kind", "{}", "--as", "member:DV-HL-02"],
    ["meeting", "record", ACTIVE, "--date", "{}", "--attendance", "{}", "--excuse", "{}", "--as", "cell:CB-TT-AP1"],
    ["commune", "accept", INTRODUCED, "--cell", "{}", "--join-on", "{}", "--note", "{}", "--as", "{}"],
    ["commune", "decline", INTRODUCED, "--reason", "{}", "--as", "commune:TT-TIEM-TOM"],
    ["appraisal", "submit", ACTIVE, "--period", "{}", "--text", "{}", "--as", "cell:CB-TT-AP1"],
    ["grade", ACTIVE, "--period", "{}", "--grade", "{}", "--as", "post:DBP-HAM-LUONG"],
    ["commend", "{}", "--reason", "{}", "--as", "hq"],
    ["correct", ACTIVE, "--reason", "{}", "--as", "{}"],
    ["pause", ACTIVE, "--reason", "{}", "--until", "{}", "--as", "post:DBP-HAM-LUONG"],
    ["resume", "{}", "--as", "post:DBP-HAM-LUONG"],
    ["withdraw", INTRODUCED, "--reason", "{}", "--note", "{}", "--as", "post:DBP-HAM-LUONG"],
    ["nominate", "--directive", "{}", "--member", "{}", "--cell", "{}", "--resolution", "{}",
     "--as", "post:DBP-HAM-LUONG"],
    ["nominate", "--directive", CELLS, "--member", "DV-HL-04", "--households", "{}", "--as", "post:DBP-HAM-LUONG"],
    ["directive", "amend", CELLS, "--term-end", "{}", "--add-cell", "{}", "--note", "{}", "--as", "hq"],
    ["directive", "status", "{}", "--as", "{}"],
    ["report", "--directive", "{}", "--post", "{}", "--commune", "{}", "--from", "{}", "--to", "{}", "--as", "{}"],
    ["history", "{}", "{}", "--as-of", "{}", "--as", "{}"],
    ["tasks", "--as", "{}"],
    ["assignment", "list", "--directive", "{}", "--stage", "{}", "--as", "{}"],
    ["account", "create", "--login", "{}", "--name", "{}", "--scope", "{}", "--contact", "{}", "--as", "hq"],
    ["account", "grant", "{}", "--scope", "{}", "--as", "{}"],
    ["notifications", "list", "--status", "{}", "--recipient", "{}", "--limit", "{}", "--as", "hq"],
    ["audit", "export", "--directive", "{}", "--out", "{}", "--as", "auditor"],
    ["audit", "verify", "--expect-seal", "{}"],
]  # fmt: skip


async def sound(world: World) -> None:
    """The directive and the active assignment answer, the read side catches up without failures, the record
    verifies."""
    h = world.harness
    state = await gateway.directive_state(h.env.client, CELLS)
    assert state is not None
    await gateway.current_state(h.env.client, ACTIVE)
    s = await h.services()
    hq = Actor(role=Role.HQ)
    await tasks(s, hq)  # catches the read models up
    assert await failures(h.pool) == []
    await report(s, hq, directive=CELLS)
    assert await h.store.verify() == []


def one_outcome(code: int, stdout: str, stderr: str, *, as_json: bool) -> None:
    """Success, or status 1 with one coded line on stderr (with --json: one error object on stdout)."""
    assert "Traceback" not in stderr + stdout
    if code == 0:
        if as_json:
            json.loads(stdout)
        return
    assert code == 1, (code, stdout, stderr)
    if as_json:
        assert re.fullmatch(r"[a-z_]+", json.loads(stdout)["error"]["code"]), stdout
        return
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert ERROR_LINE.match(lines[0]), lines[0]


@pytest.fixture
async def province(world: World) -> World:
    """The example province, the cell directive, an active assignment and an introduced one."""
    await world.ok("directory", "import", str(EXAMPLES / "directory.yaml"), actor="hq")
    await world.ok("directive", "issue", str(await world.directive_file(CELLS)), actor="hq")
    nominated = await world.ok(
        "nominate", "--directive", CELLS, "--member", "DV-HL-02", "--cell", "CB-TT-AP1",
        "--member", "DV-HL-03", "--cell", "CB-TT-AP3", actor="post:DBP-HAM-LUONG",
    )  # fmt: skip
    assert set(nominated["assignment_ids"]) == {ACTIVE, INTRODUCED}
    await world.ok("commune", "accept", ACTIVE, actor="commune:TT-TIEM-TOM")
    return world


@pytest.mark.timeout(900)
@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_every_command_given_generated_values_succeeds_or_says_why_in_one_line(
    province: World, data: st.DataObject
) -> None:
    world = province
    template = data.draw(st.sampled_from(TEMPLATES), label="command")
    args = [data.draw(hostile, label=f"value {i}") if part == "{}" else part for i, part in enumerate(template)]
    if args[:2] == ["audit", "export"]:
        args[args.index("--out") + 1] = str(world.tmp / f"export-{data.draw(st.integers(0, 10**6))}")

    as_json = data.draw(st.booleans(), label="--json")

    result = await world.run(*args, *(["--json"] if as_json else []))

    one_outcome(result.code, result.stdout, result.stderr, as_json=as_json)
    await sound(world)


@pytest.mark.timeout(600)
@given(data=st.data())
@settings(
    max_examples=16,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_directory_and_directive_files_given_generated_content_are_imported_or_refused_in_one_line(
    province: World, data: st.DataObject
) -> None:
    world = province
    kind = data.draw(st.sampled_from(["directory", "directive"]))
    example: dict[str, Any] = yaml.safe_load(
        (EXAMPLES / ("directory.yaml" if kind == "directory" else "directive-cells.yaml")).read_text("utf-8")
    )
    content = data.draw(mutated(example))
    suffix = data.draw(st.sampled_from([".yaml", ".json"]))
    path: Path = world.tmp / f"generated{suffix}"
    text = json.dumps(content, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")  # noqa: ASYNC240 - a small file, written before the command runs
    command = ["directory", "import"] if kind == "directory" else ["directive", "issue"]

    result = await world.run(*command, str(path), actor="hq")

    one_outcome(result.code, result.stdout, result.stderr, as_json=False)
    await sound(world)
