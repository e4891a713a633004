"""The README's walk-through, run exactly as it is printed, on whatever day the suite runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.world import World

ROOT = Path(__file__).resolve().parent.parent


def walkthrough() -> list[list[str]]:
    """The commands of the README's "A first directive, step by step" block, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A first directive, step by step", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the walk-through has no ```sh block"
    joined = block[1].replace("\\\n", " ")
    commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
    return [c for c in commands if c and c[0] == "phancong"]


def test_the_walkthrough_is_a_block_of_phancong_commands() -> None:
    commands = walkthrough()
    assert len(commands) >= 10
    assert [c[1] for c in commands[:2]] == ["directory", "directive"]


async def test_the_readme_walkthrough_runs_as_printed(world: World) -> None:
    outputs = []
    for command in walkthrough():
        result = await world.run(*command[1:], cwd=ROOT)
        assert result.code == 0, f"{shlex.join(command)}\n{result.stdout}{result.stderr}"
        outputs.append(result.stdout)

    assert "681-CT/ĐU: issued; 6 cells, 2 posts in scope" in outputs[1]
    assert "nominated: 681-CT/ĐU:DV-HL-02:CB-TT-AP1" in outputs[3]
    assert "MeetingRecorded -> active" in outputs[6]
    assert "ActivityLogged -> active" in outputs[7]
    assert re.search(r"cells_covered\s+1\b", outputs[8]), outputs[8]
    assert "every stream's hash chain verifies" in outputs[9]
