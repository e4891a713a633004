"""Event types: frozen pydantic models named in the past tense, with schema versions and upcasters.

Every event payload subclasses :class:`DomainEvent` and declares ``type: Literal["Name"] = "Name"``; that
field is the discriminator of the union the workflows use to carry events through Temporal. The stored
payload leaves ``type`` out (the ``event_type`` column holds it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Literal, TypeVar, get_args

from pydantic import ValidationError

from domain.event import DomainEvent
from events.errors import EventSchemaError, UnknownEventTypeError

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound="DomainEvent")


class UndecodableEvent(DomainEvent):
    """A stored event this code cannot read as its model (a payload that does not fit it, an unknown type): read
    as this placeholder so that one such event never stops a reader; projections record it and go on."""

    type: Literal["UndecodableEvent"] = "UndecodableEvent"
    event_type: str
    schema_version: ClassVar[int] = 1
    error: str


def _event_name(cls: type[DomainEvent]) -> str:
    field = cls.model_fields.get("type")
    literal = get_args(field.annotation) if field is not None else ()
    if field is None or len(literal) != 1 or field.default != literal[0]:
        raise TypeError(f'{cls.__name__} must declare type: Literal["{cls.__name__}"] = "{cls.__name__}"')
    name = literal[0]
    if not isinstance(name, str):
        raise TypeError(f"{cls.__name__}.type must be a string literal")
    return name


def _reject_floats(cls: type[DomainEvent]) -> None:
    # Binary floats do not survive a JSON round trip through jsonb byte-for-byte, which the integrity hash
    # needs; money is integer VND and rates are integers or decimals (serialized as strings).
    schema = json.dumps(cls.model_json_schema())
    if '"type": "number"' in schema:
        raise TypeError(f"{cls.__name__} has a float field; use int (e.g. VND) or Decimal")


class EventRegistry:
    """The event types a store can read and write, with the upcasters for their older schema versions."""

    def __init__(self, types: Iterable[type[DomainEvent]] = ()) -> None:
        self._types: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        # event type -> (current schema version, its JSON validator): the hot path of every read.
        self._current: dict[str, tuple[int, Callable[[str], DomainEvent]]] = {}
        for cls in types:
            self.add(cls)

    def add(self, cls: type[E]) -> type[E]:
        """Register an event type (usable as a class decorator)."""
        name = _event_name(cls)
        if name in self._types and self._types[name] is not cls:
            raise TypeError(f"event type {name!r} is registered twice")
        if cls.schema_version < 1:
            raise TypeError(f"{name}.schema_version must be at least 1")
        _reject_floats(cls)
        self._types[name] = cls
        self._current[name] = (cls.schema_version, cls.__pydantic_validator__.validate_json)
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function lifting a stored payload of ``event_type`` from ``from_version`` to the next."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return register

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._types

    @property
    def names(self) -> list[str]:
        return sorted(self._types)

    def model(self, event_type: str) -> type[DomainEvent]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventTypeError(f"unknown event type {event_type!r}") from None

    def read(self, event_type: str, schema_version: int, payload: str) -> DomainEvent:
        """``decode``, or an :class:`UndecodableEvent` saying why the stored payload cannot be read."""
        try:
            return self.decode(event_type, schema_version, payload)
        except (EventSchemaError, UnknownEventTypeError) as exc:
            return UndecodableEvent(event_type=event_type, error=str(exc)[:2000])

    def decode(self, event_type: str, schema_version: int, payload: str) -> DomainEvent:
        """Read a stored payload as the current model, upcasting it from an older schema version."""
        current_version, validate_json = self._current.get(event_type, (0, None))
        if schema_version == current_version and validate_json is not None:
            try:
                return validate_json(payload)
            except ValidationError as exc:
                raise EventSchemaError(f"stored {event_type} does not fit its model: {exc}") from exc
        cls = self.model(event_type)
        current = cls.schema_version
        try:
            if schema_version == current:
                return cls.model_validate_json(payload)
            if schema_version > current:
                raise EventSchemaError(
                    f"{event_type} v{schema_version} was written by a newer phancong (this one reads v{current})"
                )
            data: dict[str, Any] = json.loads(payload)
            for version in range(schema_version, current):
                step = self._upcasters.get((event_type, version))
                if step is None:
                    raise EventSchemaError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
                data = step(data)
            return cls.model_validate(data)
        except ValidationError as exc:
            raise EventSchemaError(f"stored {event_type} v{schema_version} does not fit its model: {exc}") from exc
