"""A command's form, made from its model (the same registry the API's routes come from), and a posted form read
back into the command's fields; refusals of a field said next to it, in the API's words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from types import UnionType
from typing import Any, Union, get_args, get_origin
from uuid import UUID, uuid4

from pydantic import BaseModel, ValidationError

from domain.commands import Command
from domain.vocabulary import POST_END_REASONS

LONG_TEXT = frozenset({"note", "text", "reason", "excuse"})
# Where a command takes fewer choices than its type holds (a post withdraws its member for its own reasons only).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("WithdrawMember", "reason"): tuple(sorted(r.value for r in POST_END_REASONS)),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # date | select | multi | ids | number | text | textarea
    required: bool
    options: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


def _bare(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        return next(a for a in get_args(annotation) if a is not type(None))
    return annotation


def _limits(metadata: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in metadata:
        for name, key in (("ge", "minimum"), ("le", "maximum"), ("max_length", "max_length")):
            value = getattr(item, name, None)
            if isinstance(value, int):
                found[key] = value
    return found


def fields_of(model: type[BaseModel]) -> list[Field]:
    """The fields a person fills in: the model's, but the actor and the command's id."""
    out: list[Field] = []
    for name, info in model.model_fields.items():
        if name in Command.model_fields:
            continue
        base = _bare(info.annotation)
        limits = _limits(info.metadata)
        options: tuple[str, ...] = ()
        if get_origin(base) is tuple:
            inner = get_args(base)[0]
            if isinstance(inner, type) and issubclass(inner, Enum):
                kind, options = "multi", tuple(str(m.value) for m in inner)
            else:
                kind = "ids"
        elif isinstance(base, type) and issubclass(base, Enum):
            kind, options = "select", tuple(str(m.value) for m in base)
        elif base is date:
            kind = "date"
        elif base is int:
            kind = "number"
        else:
            kind = "textarea" if name in LONG_TEXT else "text"
        options = CHOICES.get((model.__name__, name), options)
        out.append(Field(name, kind, info.is_required(), options, **limits))
    return out


def values(model: type[BaseModel], form: Any) -> dict[str, Any]:
    """The command's fields as the form gave them (a field left empty takes its default)."""
    found: dict[str, Any] = {}
    for field in fields_of(model):
        raw = [str(v) for v in form.getlist(field.name)]
        if field.kind == "multi":
            found[field.name] = [v for v in raw if v]
        elif field.kind == "ids":
            found[field.name] = [v for text in raw for v in re.split(r"[,;\s]+", text) if v]
        elif raw and raw[0].strip():
            found[field.name] = raw[0].strip()
    return found


def field_errors(failure: ValidationError) -> dict[str, str]:
    """What was wrong, by field (``""`` for the form as a whole), worded as the API words it."""
    errors: dict[str, str] = {}
    for error in failure.errors():
        where = str(error["loc"][0]) if error.get("loc") else ""
        why = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        errors[where] = f"{errors[where]}; {why}" if where in errors else why
    return errors


def command_id_of(form: Any) -> UUID:
    """The id the form was rendered with (sent twice, a command is applied once); a new one if it is not one."""
    try:
        return UUID(str(form.get("command_id", "")))
    except ValueError:
        return uuid4()
