"""Events of one account (stream ``account-{login}``): who may act as which units, and since when.

No secret is ever in them: a password, a second factor's key, a session, an enrolment link or an API token is
kept apart (hashed, where it is a credential) and only the fact that it was set, issued or revoked is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from domain.event import DomainEvent


class AccountCreated(DomainEvent):
    type: Literal["AccountCreated"] = "AccountCreated"
    account_id: str
    name: str
    contact: str = ""
    scopes: tuple[str, ...]  # role[:id], e.g. post:DBP-HAM-LUONG
    language: str = "vi"


class ScopeGranted(DomainEvent):
    type: Literal["ScopeGranted"] = "ScopeGranted"
    account_id: str
    scope: str


class ScopeRevoked(DomainEvent):
    type: Literal["ScopeRevoked"] = "ScopeRevoked"
    account_id: str
    scope: str


class EnrolmentIssued(DomainEvent):
    """A one-time link to set a password (and a second factor) was made: at creation, or on a reset (which
    voids the password and every session until the person enrols again)."""

    type: Literal["EnrolmentIssued"] = "EnrolmentIssued"
    account_id: str
    enrolment_id: UUID
    purpose: Literal["enrol", "reset"]
    expires_at: datetime


class AccountEnrolled(DomainEvent):
    """The person followed the link and set a password (with a second factor when ``second_factor``)."""

    type: Literal["AccountEnrolled"] = "AccountEnrolled"
    account_id: str
    enrolment_id: UUID
    second_factor: bool


class AccountLocked(DomainEvent):
    type: Literal["AccountLocked"] = "AccountLocked"
    account_id: str
    reason: str


class AccountUnlocked(DomainEvent):
    type: Literal["AccountUnlocked"] = "AccountUnlocked"
    account_id: str


class AccountDisabled(DomainEvent):
    type: Literal["AccountDisabled"] = "AccountDisabled"
    account_id: str
    reason: str


class ApiTokenIssued(DomainEvent):
    type: Literal["ApiTokenIssued"] = "ApiTokenIssued"
    account_id: str
    token_id: UUID
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime


class ApiTokenRevoked(DomainEvent):
    type: Literal["ApiTokenRevoked"] = "ApiTokenRevoked"
    account_id: str
    token_id: UUID


class LanguageChosen(DomainEvent):
    type: Literal["LanguageChosen"] = "LanguageChosen"
    account_id: str
    language: str


AccountEvent = (
    AccountCreated
    | ScopeGranted
    | ScopeRevoked
    | EnrolmentIssued
    | AccountEnrolled
    | AccountLocked
    | AccountUnlocked
    | AccountDisabled
    | ApiTokenIssued
    | ApiTokenRevoked
    | LanguageChosen
)

ACCOUNT_EVENTS: tuple[type[DomainEvent], ...] = (
    AccountCreated,
    ScopeGranted,
    ScopeRevoked,
    EnrolmentIssued,
    AccountEnrolled,
    AccountLocked,
    AccountUnlocked,
    AccountDisabled,
    ApiTokenIssued,
    ApiTokenRevoked,
    LanguageChosen,
)
