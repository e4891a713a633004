"""The CLI as its users run it: separate processes against real servers, a worker in the test.

The worker runs in the test on a time-skipping Temporal server, so a test can let weeks pass between commands.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from domain.calendar import add_months
from tests.cli import Result, phancong
from tests.workflows.driver import Harness

EXAMPLES = Path(__file__).parent.parent / "examples"


@dataclass
class World:
    """Real servers, an in-test worker, and the environment every CLI process gets."""

    harness: Harness
    env: dict[str, str]
    tmp: Path

    async def run(self, *args: str, actor: str | None = None, cwd: Path | None = None) -> Result:
        """The command in a process of its own (in a thread: the test's worker must keep serving meanwhile),
        its clock the Temporal server's (which the test moves)."""
        extra = ["--as", actor] if actor else []
        env = self.env | {"PHANCONG_NOW": (await self.harness.now()).isoformat()}
        return await asyncio.to_thread(phancong, *args, *extra, env=env, cwd=cwd)

    async def ok(self, *args: str, actor: str | None = None) -> Any:
        result = await self.run(*args, "--json", actor=actor)
        assert result.code == 0, result.stdout + result.stderr
        return result.json()

    async def refused(self, *args: str, actor: str | None = None) -> str:
        """Run a command that must be refused: one line on stderr, exit 1; returns the code."""
        result = await self.run(*args, actor=actor)
        assert result.code == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error[")
        return lines[0][len("error[") : lines[0].index("]")]

    async def settled(self, assignment_id: str) -> None:
        """Wait until the assignment has introduced itself: its first events appended, the commune's notice
        queued (both come after the start)."""
        for _ in range(400):
            introduced = await self.harness.store.stream_version(f"assignment-{assignment_id}") >= 2
            if introduced and await self.harness.pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM notifications WHERE assignment_id = $1 AND notice_key = 'introduction')",
                assignment_id,
            ):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{assignment_id} did not start")

    async def event_count(self) -> int:
        """Events of the directory, directives and assignments (deliveries record theirs in the background)."""
        count: int = await self.harness.pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id NOT LIKE 'notification-%'"
        )
        return count

    async def directive_file(self, code: str, **changes: Any) -> Path:
        """The example cell directive, its term starting on the server's today."""
        spec = yaml.safe_load((EXAMPLES / "directive-cells.yaml").read_text(encoding="utf-8"))
        today = await self.harness.today()
        spec.update(code=code, issued_on=today.isoformat())
        spec["term"] = {"start": today.isoformat(), "end": (add_months(today, 24) - timedelta(days=1)).isoformat()}
        spec.update(changes)
        path = self.tmp / f"{code.replace('/', '-')}.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        return path
