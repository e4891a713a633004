"""The shapes of the API's requests and answers that are the API's own (the use cases' models serve as they are)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain.bounds import Line, Name, Text
from domain.errors import InvalidInputError

T = TypeVar("T")
Scope = str  # role[:id], e.g. post:DBP-HAM-LUONG


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Strict):
    login: str = Field(max_length=200)
    password: str = Field(max_length=4096)
    code: str | None = Field(None, max_length=20, description="The authenticator's 6 digits (second factor).")
    scope: str | None = Field(None, max_length=200, description="Act in this scope (default: the only one).")


class Me(BaseModel):
    account_id: str
    name: str
    scopes: list[Scope]
    acting_as: Scope
    via: str
    language: str
    csrf_token: str | None = Field(None, description="Send as X-CSRF-Token on POST with the session cookie.")


class SignedIn(Me):
    expires_at: datetime


class ChooseScope(Strict):
    scope: str = Field(max_length=200)


class Enrolment(BaseModel):
    account_id: str
    name: str
    second_factor_required: bool
    totp_secret: str = Field(description="The second factor's key, to type into an authenticator app.")
    totp_uri: str = Field(description="The same key as an otpauth:// URI (a QR code of it is what apps scan).")
    expires_at: datetime


class Enrol(Strict):
    password: str = Field(max_length=4096)
    code: str | None = Field(None, max_length=20, description="A code from the offered key: enrols it.")


class Enrolled(BaseModel):
    account_id: str
    second_factor: bool


class NewToken(Strict):
    name: Name
    scopes: list[str] = Field(default_factory=list, max_length=50, description="Default: every scope of the account.")
    days: int = Field(90, ge=1, le=366)


class IssuedToken(BaseModel):
    token: str = Field(description="Shown once: phancong keeps only its hash.")
    token_id: str
    name: str
    scopes: list[Scope]
    expires_at: datetime


class TokenView(BaseModel):
    token_id: str
    name: str
    scopes: list[Scope]
    issued_at: datetime
    expires_at: datetime
    state: str


class NewAccount(Strict):
    login: str = Field(max_length=64, description="Lower-case letters, digits, '.', '_' and '-'.")
    name: Name
    contact: Line = ""
    scopes: list[str] = Field(min_length=1, max_length=50)
    language: str = Field("vi", pattern="^(vi|en)$")


class EnrolmentLink(BaseModel):
    account_id: str
    enrolment_url: str = Field(description="Shown once: the page where the person sets their password, in a browser.")
    enrolment_api_url: str = Field(description="The same enrolment over the API (GET, then POST).")
    expires_at: datetime


class ScopeChange(Strict):
    scope: str = Field(max_length=200)


class Reason(Strict):
    reason: Text = Field(min_length=1)


class AccountToken(BaseModel):
    token_id: str
    name: str
    scopes: list[Scope]
    expires_at: datetime
    issued_at: datetime
    revoked: bool


class Account(BaseModel):
    account_id: str
    name: str
    contact: str
    scopes: list[Scope]
    language: str
    status: str
    created_at: datetime
    enrolled: bool
    second_factor: bool
    locked: bool
    disabled: bool
    tokens: list[AccountToken]


class AccessEntry(BaseModel):
    id: int
    at: datetime
    kind: str
    account_id: str | None
    client: str | None
    detail: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last.")


class AssignmentRow(BaseModel):
    assignment_id: str
    directive_id: str
    member_id: str
    post_id: str
    commune_id: str
    cell_id: str
    stage: str
    end_reason: str | None


class DirectiveRow(BaseModel):
    directive_id: str
    title: str
    kind: str
    status: str
    simulated: bool
    updated_at: datetime


class DirectiveStatus(BaseModel):
    directive_id: str
    title: str
    status: str
    term: list[str]
    figures: dict[str, Any]
    uncovered_cells: list[str] = Field(default_factory=list, description="The directive's cells nobody serves.")
    cells_by_category: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="[covered, in scope] of the directive's cells, by category."
    )
    open_replacements: list[dict[str, Any]]


class Nomination(Strict):
    member_id: str = Field(max_length=80)
    cell_id: str | None = Field(None, max_length=80)
    household_ids: list[str] = Field(default_factory=list, max_length=50)
    household_group_id: str | None = Field(None, max_length=80)


class Nominate(Strict):
    resolution: Line = ""
    items: list[Nomination] = Field(min_length=1, max_length=1000)


class NominationAnswer(BaseModel):
    directive_id: str
    assignment_ids: list[str]
    introduced: list[str] = Field(description="Those whose introduction letter to the commune is already recorded.")


class Amend(Strict):
    add_cells: list[str] = Field(default_factory=list, max_length=20_000)
    remove_cells: list[str] = Field(default_factory=list, max_length=20_000)
    term_ends_on: str | None = Field(None, max_length=20, description="YYYY-MM-DD")
    note: Text = ""


class DirectiveAnswer(BaseModel):
    directive_id: str
    version: int
    events: list[str] = Field(default_factory=list)


class Health(BaseModel):
    status: str


def cursor_of(kind: str, value: Any) -> str:
    text = json.dumps([kind, value], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def from_cursor(kind: str, cursor: str | None, expected: type[T]) -> T | None:
    """The position a cursor names (None: the first page); a cursor of another list is refused."""
    if not cursor:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(found, list) and len(found) == 2 and found[0] == kind and isinstance(found[1], expected):
            return found[1]
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInputError("cursor: not a cursor this list gave")
