"""Reading the files people give phancong (directory, directive): YAML or JSON, checked by a pydantic model.

A refusal names the file, the entry and the field, e.g.
``directory.yaml: members[3] (DV-004).post: unknown post 'DBP-X'``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from phancong.errors import PhancongError

M = TypeVar("M", bound=BaseModel)


class DocumentError(PhancongError):
    code = "invalid_file"


def read_document(path: Path) -> Any:
    """The data of a YAML (``.yaml``, ``.yml``) or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file", code="file_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"{path}: cannot read: {exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise DocumentError(f"{path}: {where}{getattr(exc, 'problem', None) or exc}") from exc


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


def load(model: type[M], path: Path, *, code: str) -> M:
    return validate_document(model, read_document(path), path, code=code)
