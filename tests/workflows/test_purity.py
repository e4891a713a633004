"""Workflow code is deterministic by construction: it reads no clock, draws nothing at random, reads no
environment and opens no file. The worker's sandbox refuses only what passes through its builtins (a file);
it imports phancong's modules once, not afresh for each run, so this check covers the clock and randomness
in every module a workflow runs: ``workflows/``, the pure ``domain/`` it decides with (its events too), and the
plain models of notifications it carries (tests/test_layers.py keeps workflows from importing anything else)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_CODE = sorted(
    [*(ROOT / "workflows").rglob("*.py"), *(ROOT / "domain").rglob("*.py"), ROOT / "notifications" / "models.py"]
)

FORBIDDEN_MODULES = {"random", "secrets", "time", "socket", "subprocess"}
FORBIDDEN_ATTRIBUTES = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("uuid", "uuid1"),
    ("uuid", "uuid4"),
    ("os", "environ"),
    ("os", "getenv"),
}
FORBIDDEN_NAMES = {"uuid1", "uuid4", "environ", "getenv", "open", "input", "print"}
# Where a forbidden name is used outside any workflow run, and why.
ALLOWED = {
    ("domain/commands.py", "uuid4"): "a command's id is drawn by its sender (the CLI, the API), not by a workflow",
}


def forbidden_uses(source: str, where: str = "<source>") -> list[str]:
    """``where:line what`` for each use of the clock, randomness, the environment or files in ``source``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        what: str | None = None
        if isinstance(node, ast.Import):
            what = next((a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES), None)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                what = node.module
            else:
                what = next((a.name for a in node.names if a.name in FORBIDDEN_NAMES), None)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_ATTRIBUTES:
                what = f"{node.value.id}.{node.attr}"
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            what = node.id
        if what is not None and (where, what.rsplit(".", 1)[-1]) not in ALLOWED:
            found.append(f"{where}:{getattr(node, 'lineno', 0)} {what}")
    return found


@pytest.mark.parametrize("path", WORKFLOW_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_code_reads_no_clock_randomness_environment_or_files(path: Path) -> None:
    where = str(path.relative_to(ROOT))
    assert forbidden_uses(path.read_text(), where) == []


def test_the_check_finds_each_kind_of_use() -> None:
    source = """
import random
from time import monotonic
from uuid import uuid4
import os
from datetime import date, datetime

def decide():
    return datetime.now(), date.today(), os.environ["X"], open("f"), random.random(), monotonic(), uuid4()
"""
    found = {line.split(" ", 1)[1] for line in forbidden_uses(source)}
    assert found == {"random", "time", "uuid4", "datetime.now", "date.today", "os.environ", "open"}
