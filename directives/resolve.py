"""Reading a directive file (the use case that resolves and issues it is ``app.directives``'s)."""

from __future__ import annotations

from pathlib import Path

from directives.model import DirectiveFile
from infra.files import DEFAULT_LIMITS, FileLimits, load


def load_directive(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> DirectiveFile:
    return load(DirectiveFile, path, code="invalid_directive", limits=limits)
