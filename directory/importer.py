"""Reading a directory file: its entries and the SHA-256 of its bytes (the import is ``app.directory``'s)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from directory.model import DirectoryFile
from infra.files import DEFAULT_LIMITS, FileLimits, parse_document, read_bytes, validate_document


def load_directory(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> tuple[DirectoryFile, str]:
    """The validated directory file and the SHA-256 of its bytes (recorded with the import)."""
    data = read_bytes(path, limits)
    directory = validate_document(DirectoryFile, parse_document(data, path, limits), path, code="invalid_directory")
    return directory, hashlib.sha256(data).hexdigest()
