"""The layering the README draws, checked against every import: the domain at the centre imports nothing
outward; the application layer only the domain and the store's and files' plain models; the adapters never the
shell; the workflows only what Temporal's sandbox may hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = {
    "infra", "events", "migrations", "wording", "directory", "directives", "notifications", "projections",
    "workflows", "activities", "gateway", "accounts", "api", "web",
}  # fmt: skip
SHELL = {"phancong", "worker", "simulation"}
OURS = {"domain", "app"} | ADAPTERS | SHELL

# What each package may import of phancong's own (a package always imports itself); a name is a package or a
# module ("events.envelope"), which then also allows the modules below it.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "app": {
        "domain",
        "events.envelope",
        "events.errors",
        "events.integrity",
        "events.registry",
        "directory.model",
        "directory.entries",
        "directory.households",
        "directives.model",
    },
    "infra": {"domain"},
    "migrations": {"domain"},
    "events": {"domain", "infra", "migrations"},
    "wording": {"domain", "app"},
    "workflows": {"domain", "events.envelope", "notifications.models"},
    **dict.fromkeys(
        ("directory", "directives", "notifications", "projections", "activities", "gateway", "accounts", "api", "web"),
        {"domain", "app"} | ADAPTERS,
    ),
    **dict.fromkeys(SHELL, OURS),
}


def modules() -> list[tuple[str, Path]]:
    found = [("worker", ROOT / "worker.py")]
    for package in sorted(OURS - {"worker"}):
        found += [(package, path) for path in sorted((ROOT / package).rglob("*.py"))]
    return found


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] in OURS}


def allowed(package: str, module: str) -> bool:
    if module.split(".", maxsplit=1)[0] == package:
        return True
    return any(module == rule or module.startswith(rule + ".") for rule in ALLOWED[package])


def test_every_package_of_phancong_has_its_place_in_the_layering() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"tests", "bench"}
    assert packages == OURS - {"worker"}


@pytest.mark.parametrize(
    ("package", "path"), modules(), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v
)
def test_no_module_imports_outward(package: str, path: Path) -> None:
    wrong = sorted(m for m in imports(path) if not allowed(package, m))
    assert wrong == [], f"{path.relative_to(ROOT)} ({package}) imports {wrong}"


def test_the_check_finds_an_import_that_points_the_wrong_way(tmp_path: Path) -> None:
    module = tmp_path / "rule.py"
    module.write_text("from events.store import EventStore\nfrom domain.actors import Actor\n", encoding="utf-8")
    assert sorted(m for m in imports(module) if not allowed("domain", m)) == ["events.store"]
    assert sorted(m for m in imports(module) if not allowed("app", m)) == ["events.store"]
    assert sorted(m for m in imports(module) if not allowed("projections", m)) == []
