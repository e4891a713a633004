"""Accounts: the people behind the roles (the API's and the web app's sign-in), as pure rules.

An account is a person (a name, a contact) holding one or more *scopes* of the directory: ``hq``, ``auditor``,
``post:ID``, ``commune:ID``, ``cell:ID``, ``member:ID``. A request acts in one of them, and every event it
causes records that scope and the account (``Actor.account``). Creating, enrolling, granting, revoking,
locking, disabling, and issuing or revoking API tokens are events of the account's stream, so auditors see who
could act as whom and since when; the state below is their fold, and the rules below decide each change.

Rules: a login is lower-case (``nguyen.van.an``); an account holding ``hq`` or ``auditor`` enrols with a second
factor (TOTP); a disabled account does nothing more; an API token carries some of the account's scopes, for at
most a year, and acts only in those the account still holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from domain.actors import LOGIN_PATTERN, Actor, Role
from domain.bounds import Line, Name, entry_id
from domain.errors import (
    AlreadyDoneError,
    InvalidInputError,
    NotFoundError,
    PhancongError,
    WrongStateError,
    invalid_input,
)
from domain.event import DomainEvent
from domain.events.account import (
    AccountCreated,
    AccountDisabled,
    AccountEnrolled,
    AccountLocked,
    AccountUnlocked,
    ApiTokenIssued,
    ApiTokenRevoked,
    EnrolmentIssued,
    LanguageChosen,
    ScopeGranted,
    ScopeRevoked,
)

SECOND_FACTOR_ROLES = frozenset({Role.HQ, Role.AUDITOR})
MAX_SCOPES = 50
MAX_TOKEN_DAYS = 366
ENROLMENT_DAYS = 7
LANGUAGES = ("vi", "en")


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Login = Annotated[str, BeforeValidator(_lower), Field(min_length=1, max_length=64, pattern=LOGIN_PATTERN.pattern)]
_LOGIN = TypeAdapter(Login)


class AlreadyExistsError(PhancongError):
    code = "already_exists"


def login(value: str) -> str:
    """A login in its normal form (lower case), or ``invalid_input``."""
    try:
        return _LOGIN.validate_python(value)
    except ValidationError:
        raise InvalidInputError(
            f"login {value!r}: 1 to 64 of a-z, 0-9, '.', '_', '-' (starting and ending with a letter or digit)"
        ) from None


def stream_of(account_id: str) -> str:
    return f"account-{account_id}"


def scope(text: str) -> Actor:
    """A scope as written, ``role[:id]`` (``post:DBP-HAM-LUONG``, ``hq``), checked like ``--as``."""
    try:
        parsed = Actor.parse(text)
        if parsed.id is not None:
            entry_id(parsed.id, "the scope's id")
    except ValidationError as refused:
        raise invalid_input(refused) from None
    except ValueError as refused:
        raise InvalidInputError(f"scope {text!r}: {refused}") from None
    return parsed


class Status(StrEnum):
    PENDING = "pending"  # created (or reset), not enrolled yet
    ACTIVE = "active"
    LOCKED = "locked"  # too many failed sign-ins; HQ unlocks
    DISABLED = "disabled"


@dataclass(frozen=True)
class Token:
    token_id: UUID
    name: str
    scopes: tuple[Actor, ...]
    expires_at: datetime
    issued_at: datetime
    revoked: bool = False

    def live(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass(frozen=True)
class AccountState:
    account_id: str
    name: str
    contact: str
    scopes: tuple[Actor, ...]
    language: str
    created_at: datetime
    enrolled: bool = False
    second_factor: bool = False
    locked: bool = False
    disabled: bool = False
    enrolment_id: UUID | None = None  # the link that may still be used
    enrolled_with: UUID | None = None  # the link the current password was set through
    enrolment_expires_at: datetime | None = None
    tokens: dict[UUID, Token] = field(default_factory=dict)
    version: int = 0

    @property
    def status(self) -> Status:
        if self.disabled:
            return Status.DISABLED
        if self.locked:
            return Status.LOCKED
        return Status.ACTIVE if self.enrolled else Status.PENDING

    @property
    def needs_second_factor(self) -> bool:
        return any(s.role in SECOND_FACTOR_ROLES for s in self.scopes)

    def may_sign_in(self) -> bool:
        return self.status == Status.ACTIVE and (self.second_factor or not self.needs_second_factor)

    def holds(self, wanted: Actor) -> bool:
        return wanted.scope in self.scopes

    def enrolment_open(self, enrolment_id: UUID, now: datetime) -> bool:
        return (
            not self.disabled
            and self.enrolment_id == enrolment_id
            and self.enrolment_expires_at is not None
            and now < self.enrolment_expires_at
        )


def _scopes(texts: tuple[str, ...]) -> tuple[Actor, ...]:
    return tuple(Actor.parse(t) for t in texts)


def apply(state: AccountState | None, event: DomainEvent, at: datetime) -> AccountState:
    """The account after ``event`` (recorded ``at``)."""
    if isinstance(event, AccountCreated):
        return AccountState(
            account_id=event.account_id,
            name=event.name,
            contact=event.contact,
            scopes=_scopes(event.scopes),
            language=event.language,
            created_at=at,
            version=1,
        )
    if state is None:
        raise ValueError(f"{event.type} before AccountCreated")
    state = replace(state, version=state.version + 1)
    match event:
        case ScopeGranted(scope=text):
            return replace(state, scopes=(*state.scopes, Actor.parse(text)))
        case ScopeRevoked(scope=text):
            gone = Actor.parse(text)
            return replace(state, scopes=tuple(s for s in state.scopes if s != gone))
        case EnrolmentIssued(enrolment_id=enrolment, purpose=purpose, expires_at=expires):
            reset = purpose == "reset"
            return replace(
                state,
                enrolment_id=enrolment,
                enrolment_expires_at=expires,
                enrolled=state.enrolled and not reset,
                second_factor=state.second_factor and not reset,
            )
        case AccountEnrolled(second_factor=second):
            return replace(
                state,
                enrolled=True,
                second_factor=second,
                enrolled_with=event.enrolment_id,
                enrolment_id=None,
                enrolment_expires_at=None,
                locked=False,
            )
        case AccountLocked():
            return replace(state, locked=True)
        case AccountUnlocked():
            return replace(state, locked=False)
        case AccountDisabled():
            return replace(state, disabled=True, enrolment_id=None, enrolment_expires_at=None)
        case ApiTokenIssued(token_id=token, name=name, scopes=texts, expires_at=expires):
            issued = Token(token, name, _scopes(texts), expires, at)
            return replace(state, tokens={**state.tokens, token: issued})
        case ApiTokenRevoked(token_id=token):
            return replace(state, tokens={**state.tokens, token: replace(state.tokens[token], revoked=True)})
        case LanguageChosen(language=language):
            return replace(state, language=language)
    return state


def fold(events: list[tuple[DomainEvent, datetime]]) -> AccountState | None:
    state: AccountState | None = None
    for event, at in events:
        state = apply(state, event, at)
    return state


# -- decisions: each returns the events a change records, or refuses with a stable code ---------------------


def _name(value: str, what: str, adapter: TypeAdapter[str]) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as refused:
        raise InvalidInputError(f"{what}: {invalid_input(refused).message}") from None


_NAME: TypeAdapter[str] = TypeAdapter(Name)
_LINE: TypeAdapter[str] = TypeAdapter(Line)


def existing(state: AccountState | None, account_id: str) -> AccountState:
    if state is None:
        raise NotFoundError(f"no account {account_id}")
    return state


def _live(state: AccountState) -> AccountState:
    if state.disabled:
        raise WrongStateError(f"account {state.account_id} is disabled")
    return state


def create(
    state: AccountState | None, account_id: str, *, name: str, contact: str, scopes: list[Actor], language: str
) -> list[DomainEvent]:
    if state is not None:
        raise AlreadyExistsError(f"account {account_id} exists already")
    if not scopes:
        raise InvalidInputError("an account holds at least one scope (--scope post:ID, hq, …)")
    if len(set(scopes)) > MAX_SCOPES:
        raise InvalidInputError(f"an account holds at most {MAX_SCOPES} scopes")
    if language not in LANGUAGES:
        raise InvalidInputError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
    unique = tuple(dict.fromkeys(s.scope for s in scopes))
    return [
        AccountCreated(
            account_id=account_id,
            name=_name(name, "name", _NAME),
            contact=_name(contact, "contact", _LINE),
            scopes=tuple(str(s) for s in unique),
            language=language,
        )
    ]


def grant(state: AccountState, wanted: Actor) -> list[DomainEvent]:
    _live(state)
    if state.holds(wanted):
        raise AlreadyDoneError(f"account {state.account_id} holds {wanted} already")
    if len(state.scopes) >= MAX_SCOPES:
        raise InvalidInputError(f"an account holds at most {MAX_SCOPES} scopes")
    if wanted.role in SECOND_FACTOR_ROLES and state.enrolled and not state.second_factor:
        raise WrongStateError(
            f"{wanted} needs a second factor, which account {state.account_id} has not enrolled: reset the account "
            "(a new enrolment link, with TOTP), then grant"
        )
    return [ScopeGranted(account_id=state.account_id, scope=str(wanted.scope))]


def revoke(state: AccountState, gone: Actor) -> list[DomainEvent]:
    _live(state)
    if not state.holds(gone):
        raise NotFoundError(f"account {state.account_id} does not hold {gone}")
    return [ScopeRevoked(account_id=state.account_id, scope=str(gone.scope))]


def issue_enrolment(
    state: AccountState, enrolment_id: UUID, now: datetime, *, reset: bool, valid_for: timedelta
) -> list[DomainEvent]:
    _live(state)
    if not reset and state.enrolled:
        raise AlreadyDoneError(f"account {state.account_id} is enrolled already (reset it for a new link)")
    return [
        EnrolmentIssued(
            account_id=state.account_id,
            enrolment_id=enrolment_id,
            purpose="reset" if reset else "enrol",
            expires_at=now + valid_for,
        )
    ]


def enrol(state: AccountState, enrolment_id: UUID, now: datetime, *, second_factor: bool) -> list[DomainEvent]:
    if not state.enrolment_open(enrolment_id, now):
        raise EnrolmentClosedError("this enrolment link has expired or was used or replaced; ask HQ for a new one")
    if state.needs_second_factor and not second_factor:
        raise SecondFactorRequiredError("hq and auditor accounts enrol a second factor (a TOTP code)")
    return [AccountEnrolled(account_id=state.account_id, enrolment_id=enrolment_id, second_factor=second_factor)]


def lock(state: AccountState, reason: str) -> list[DomainEvent]:
    if state.locked or state.disabled:
        return []
    return [AccountLocked(account_id=state.account_id, reason=reason)]


def unlock(state: AccountState) -> list[DomainEvent]:
    _live(state)
    if not state.locked:
        raise WrongStateError(f"account {state.account_id} is not locked")
    return [AccountUnlocked(account_id=state.account_id)]


def disable(state: AccountState, reason: str) -> list[DomainEvent]:
    if state.disabled:
        raise AlreadyDoneError(f"account {state.account_id} is disabled already")
    return [AccountDisabled(account_id=state.account_id, reason=_name(reason, "reason", _NAME))]


def issue_token(
    state: AccountState, token_id: UUID, *, name: str, scopes: list[Actor], now: datetime, days: int
) -> list[DomainEvent]:
    _live(state)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInputError(f"a token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}")
    wanted = tuple(dict.fromkeys(s.scope for s in scopes)) or state.scopes
    foreign = [str(s) for s in wanted if not state.holds(s)]
    if foreign:
        raise InvalidInputError(f"a token carries only scopes the account holds, not {', '.join(foreign)}")
    return [
        ApiTokenIssued(
            account_id=state.account_id,
            token_id=token_id,
            name=_name(name, "token name", _NAME),
            scopes=tuple(str(s) for s in wanted),
            expires_at=now + timedelta(days=days),
        )
    ]


def revoke_token(state: AccountState, token_id: UUID) -> list[DomainEvent]:
    token = state.tokens.get(token_id)
    if token is None:
        raise NotFoundError(f"account {state.account_id} has no token {token_id}")
    if token.revoked:
        raise AlreadyDoneError(f"token {token_id} is revoked already")
    return [ApiTokenRevoked(account_id=state.account_id, token_id=token_id)]


def choose_language(state: AccountState, language: str) -> list[DomainEvent]:
    _live(state)
    if language not in LANGUAGES:
        raise InvalidInputError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
    if language == state.language:
        return []
    return [LanguageChosen(account_id=state.account_id, language=language)]


def acting_scope(state: AccountState, allowed: tuple[Actor, ...], wanted: str | None) -> Actor:
    """The scope a request acts in: ``wanted`` (``role[:id]``) if given and allowed, else the only one allowed;
    ``allowed`` being what the session or token may act as, of what the account still holds."""
    usable = tuple(s for s in allowed if state.holds(s))
    if wanted:
        chosen = scope(wanted)
        if chosen not in usable:
            raise ScopeNotHeldError(f"account {state.account_id} may not act as {chosen}")
        return chosen.by(state.account_id)
    if len(usable) == 1:
        return usable[0].by(state.account_id)
    if not usable:
        raise ScopeNotHeldError(f"account {state.account_id} holds no scope it may act in")
    choices = ", ".join(str(s) for s in usable)
    raise ScopeRequiredError(f"say which scope this request acts in (Phancong-Scope: one of {choices})")


class EnrolmentClosedError(PhancongError):
    code = "enrolment_closed"


class SecondFactorRequiredError(PhancongError):
    code = "second_factor_required"


class ScopeNotHeldError(PhancongError):
    code = "forbidden"


class ScopeRequiredError(PhancongError):
    code = "scope_required"


def dump(state: AccountState) -> dict[str, Any]:
    """The account as JSON values (the read model keeps it; ``load`` reads it back)."""
    return {
        "account_id": state.account_id,
        "name": state.name,
        "contact": state.contact,
        "scopes": [str(s) for s in state.scopes],
        "language": state.language,
        "created_at": state.created_at.isoformat(),
        "enrolled": state.enrolled,
        "second_factor": state.second_factor,
        "locked": state.locked,
        "disabled": state.disabled,
        "enrolment_id": None if state.enrolment_id is None else str(state.enrolment_id),
        "enrolled_with": None if state.enrolled_with is None else str(state.enrolled_with),
        "enrolment_expires_at": None if state.enrolment_expires_at is None else state.enrolment_expires_at.isoformat(),
        "tokens": [
            {
                "token_id": str(t.token_id),
                "name": t.name,
                "scopes": [str(s) for s in t.scopes],
                "expires_at": t.expires_at.isoformat(),
                "issued_at": t.issued_at.isoformat(),
                "revoked": t.revoked,
            }
            for t in state.tokens.values()
        ],
        "version": state.version,
        "status": state.status.value,
    }


def load(data: dict[str, Any]) -> AccountState:
    def moment(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    tokens = {
        UUID(t["token_id"]): Token(
            UUID(t["token_id"]),
            t["name"],
            _scopes(tuple(t["scopes"])),
            datetime.fromisoformat(t["expires_at"]),
            datetime.fromisoformat(t["issued_at"]),
            t["revoked"],
        )
        for t in data["tokens"]
    }
    return AccountState(
        account_id=data["account_id"],
        name=data["name"],
        contact=data["contact"],
        scopes=_scopes(tuple(data["scopes"])),
        language=data["language"],
        created_at=datetime.fromisoformat(data["created_at"]),
        enrolled=data["enrolled"],
        second_factor=data["second_factor"],
        locked=data["locked"],
        disabled=data["disabled"],
        enrolment_id=None if data["enrolment_id"] is None else UUID(data["enrolment_id"]),
        enrolled_with=None if data.get("enrolled_with") is None else UUID(data["enrolled_with"]),
        enrolment_expires_at=moment(data["enrolment_expires_at"]),
        tokens=tokens,
        version=data["version"],
    )
