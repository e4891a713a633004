"""Reading the files people give phancong (directory, directive): YAML or JSON, checked by a pydantic model.

A refusal names the file, the entry and the field, e.g.
``directory.yaml: members[3] (DV-004).post: unknown post 'DBP-X'``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from domain.bounds import MAX_FILE_BYTES, MAX_FILE_DEPTH, MAX_FILE_VALUES
from domain.errors import PhancongError

M = TypeVar("M", bound=BaseModel)


class DocumentError(PhancongError):
    code = "invalid_file"


@dataclass(frozen=True)
class FileLimits:
    """How large a file phancong reads may be: its bytes, its nesting, its values (aliases included)."""

    max_bytes: int = MAX_FILE_BYTES
    max_depth: int = MAX_FILE_DEPTH
    max_values: int = MAX_FILE_VALUES


DEFAULT_LIMITS = FileLimits()


def read_bytes(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file of at most ``limits.max_bytes``."""
    try:
        if not path.exists():
            raise DocumentError(f"{path}: no such file", code="file_not_found")
        if not path.is_file():
            raise DocumentError(f"{path}: not a regular file")
        with path.open("rb") as file:
            data = file.read(limits.max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limits.max_bytes:
        raise DocumentError(f"{path}: larger than {limits.max_bytes:,} bytes (PHANCONG_MAX_FILE_BYTES)")
    return data


def _text(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _check_shape(data: Any, path: Path, limits: FileLimits) -> None:
    """Refuse data nested deeper, or holding more values, than ``limits`` allow. YAML aliases count each time
    they are used: that is how often a model would read them."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    values = 0
    while stack:
        node, depth = stack.pop()
        values += 1
        if values > limits.max_values:
            raise DocumentError(f"{path}: more than {limits.max_values:,} values")
        if isinstance(node, dict | list):
            if depth > limits.max_depth:
                raise DocumentError(f"{path}: nested deeper than {limits.max_depth} levels")
            children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


def read_document(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Any:
    """The data of a YAML (``.yaml``, ``.yml``) or JSON file, within ``limits``."""
    return parse_document(read_bytes(path, limits), path, limits)


def parse_document(data: bytes, path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Any:
    """The data of the YAML or JSON bytes read from ``path`` (its suffix says which), within ``limits``."""
    text = _text(data, path)
    try:
        parsed = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise DocumentError(f"{path}: {where}{getattr(exc, 'problem', None) or exc}") from exc
    except (RecursionError, MemoryError):
        raise DocumentError(f"{path}: nested deeper than {limits.max_depth} levels") from None
    except ValueError as exc:  # e.g. a number too long to convert
        raise DocumentError(f"{path}: {exc}") from None
    _check_shape(parsed, path, limits)
    return parsed


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """``members[3] (DV-004).post`` for the location (members, 3, post) of ``data``."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if ident is not None:
                parts[-1] += f" ({ident})"
        else:
            parts.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(file)"


def validate_document(model: type[M], data: Any, path: Path, *, code: str) -> M:
    """``data`` as ``model``, or one DocumentError (with ``code``) listing every problem where it is."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(str(x) if not isinstance(x, int) else x for x in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            where = _where(data, loc)
            problems.append(message if where == "(file)" else f"{where}: {message}")
        raise DocumentError(f"{path.name}: " + "; ".join(problems), code=code) from None


def load(model: type[M], path: Path, *, code: str, limits: FileLimits = DEFAULT_LIMITS) -> M:
    return validate_document(model, read_document(path, limits), path, code=code)
