"""Who acts in phancong (DOMAIN.md, "Actors"): a role and, for units and people, which one."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class Role(StrEnum):
    """Who may act in phancong (DOMAIN.md, "Actors"); ``system`` is phancong itself (timers, reminders)."""

    HQ = "hq"
    POST = "post"
    COMMUNE = "commune"
    CELL = "cell"
    MEMBER = "member"
    AUDITOR = "auditor"
    SYSTEM = "system"


# Roles that stand for one organisation or person and so must name it.
ROLES_WITH_ID = frozenset({Role.POST, Role.COMMUNE, Role.CELL, Role.MEMBER})


# An account's login: lower-case letters, digits and . _ - (see domain.accounts).
LOGIN_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")


class Actor(BaseModel):
    """The role and, for posts, communes, cells and members, the id of whoever caused an event; and, when a
    person signed in to an account did it, that account (the scope is who acted, the account who was behind)."""

    model_config = ConfigDict(frozen=True)

    role: Role
    id: str | None = None
    account: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _normal_form(cls, value: object) -> object:
        # The same id typed decomposed (NFD) is the same actor.
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value

    @field_validator("account")
    @classmethod
    def _a_login(cls, value: str | None) -> str | None:
        if value is not None and not LOGIN_PATTERN.match(value):
            raise ValueError(f"an account is a login (a-z, 0-9, '.', '_', '-'), not {value!r}")
        return value

    @model_validator(mode="after")
    def _id_matches_role(self) -> Self:
        if self.role in ROLES_WITH_ID and not self.id:
            raise ValueError(f"actor role {self.role.value!r} needs an id ({self.role.value}:ID)")
        return self

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Read ``ROLE[:ID]``, e.g. ``post:DBP-HAM-LUONG`` or ``hq``: a role people act in (never ``system``),
        with an id exactly when the role stands for one unit or person."""
        role_text, _, ident = text.strip().partition(":")
        try:
            role = Role(role_text.strip())
        except ValueError:
            people = ", ".join(r.value for r in Role if r != Role.SYSTEM)
            raise ValueError(f"unknown role {role_text.strip()!r} (one of {people})") from None
        if role == Role.SYSTEM:
            raise ValueError("'system' is phancong itself; nobody acts as it")
        if role not in ROLES_WITH_ID and ident.strip():
            raise ValueError(f"{role.value} takes no id ({role.value}, not {role.value}:{ident.strip()})")
        return cls(role=role, id=ident.strip() or None)

    @property
    def scope(self) -> Actor:
        """The role and unit acted as, without the account behind it."""
        return self if self.account is None else Actor(role=self.role, id=self.id)

    def by(self, account: str) -> Actor:
        """This scope, acted in by ``account``."""
        return Actor(role=self.role, id=self.id, account=account)

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}" if self.id else self.role.value


SYSTEM = Actor(role=Role.SYSTEM)  # phancong itself: timers, reminders, deliveries
