"""What auditors run: verify the record's integrity, seal the log, export a directive to check offline."""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from app.scopes import require_role
from app.services import Services
from domain.actors import Actor, Role
from domain.bounds import directive_code
from domain.errors import InvalidInputError, NotFoundError
from events.integrity import IntegrityProblem, LogReport, Seal

_SEAL_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Verification:
    problems: list[IntegrityProblem]  # the first broken link of each stream
    log: LogReport | None  # the seals (None when one stream was verified)
    log_problems: list[str]

    @property
    def ok(self) -> bool:
        return not (self.problems or self.log_problems)


async def verify(s: Services, stream: str | None = None, expect_seal: str | None = None) -> Verification:
    """Recompute every stream's chain and every seal of the log; with ``expect_seal``, the record must still hold
    that seal. Anyone may verify: it shows hashes, never content."""
    assert s.audit is not None, "the audit port is connected where the record is verified"
    if expect_seal is not None and not _SEAL_HASH.fullmatch(expect_seal):
        raise InvalidInputError("--expect-seal takes the 64 hex digits `audit verify` printed")
    problems, log = await s.audit.verify(stream)
    log_problems = [str(p) for p in log.problems] if log else []
    if expect_seal is not None and stream is None and not await s.audit.holds_seal(bytes.fromhex(expect_seal)):
        log_problems.append(f"the seal {expect_seal} is no longer in the record (seals were removed or rewritten)")
    return Verification(problems, log, log_problems)


async def seal(s: Services, actor: Actor | None) -> Seal | None:
    """Seal the log now (the worker also does, every few minutes); as HQ or an auditor when someone is named."""
    assert s.audit is not None, "the audit port is connected where the log is sealed"
    if actor is not None:
        require_role(actor, Role.AUDITOR, Role.HQ)
    made: Seal | None = await s.audit.seal()
    return made


async def export(s: Services, actor: Actor, directive: str, out: Path) -> dict[str, Any]:
    """Every stream of a directive, whole, with a manifest of hashes and the script that verifies them offline
    (``verify_chain.py``, standard library only)."""
    assert s.audit is not None, "the audit port is connected where directives are exported"
    require_role(actor, Role.AUDITOR, Role.HQ)
    code = directive_code(directive, "--directive")
    try:
        manifest = await s.audit.export(code, out)
    except OSError as failed:
        raise InvalidInputError(f"--out {out}: cannot write there ({failed.strerror or failed})") from None
    if manifest is None:
        raise NotFoundError(f"no events of directive {code}")
    (out / "verify_chain.py").write_text(verify_script(), encoding="utf-8")  # the export verifies on its own
    return manifest


def verify_script() -> str:
    """The stdlib-only script an auditor runs on an export (docs/auditing.md prints the same)."""
    return resources.files("events").joinpath("data/verify_chain.py.txt").read_text(encoding="utf-8")


async def archive(s: Services, actor: Actor, directive: str, into: Path) -> dict[str, Any]:
    """A directive's export as one zip file at ``into``: ``events.jsonl``, ``manifest.json`` and
    ``verify_chain.py`` (``python3 verify_chain.py events.jsonl manifest.json``); returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="phancong-export-") as work:
        out = Path(work) / "export"
        manifest = await export(s, actor, directive, out)
        with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            zipped.write(out / "events.jsonl", "events.jsonl")
            zipped.write(out / "manifest.json", "manifest.json")
            zipped.writestr("verify_chain.py", verify_script())
    return manifest
