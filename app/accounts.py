"""Accounts, as HQ keeps them: create (with a one-time enrolment link), grant, revoke, reset, unlock, disable,
list; and the first HQ account of an empty database.

Every change is an event of the account's stream (``domain.accounts`` decides it); the enrolment link's secret
is kept only as a hash (``Credentials``) and shown once, to whoever created or reset the account.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from app.actors import known
from app.ports import AccessEntry, Credentials, OneTimeCodes
from app.scopes import require_role
from app.services import Services
from domain import accounts
from domain.accounts import AccountState, AlreadyExistsError, stream_of
from domain.actors import SYSTEM, Actor, Role
from domain.errors import InvalidInputError, PhancongError
from domain.event import DomainEvent
from events.envelope import NewEvent
from events.errors import ConcurrencyError

ENROLMENT_VALID = timedelta(days=accounts.ENROLMENT_DAYS)
FIRST_ACCOUNT = "admin"
FIRST_ACCOUNT_NAME = "Quản trị viên Bộ Chỉ huy"


def digest(secret: str) -> bytes:
    """How a secret (a link, a session, a token) is kept: its SHA-256, never the secret."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def need_credentials(s: Services) -> Credentials:
    if s.credentials is None:
        raise PhancongError("this interface keeps no credentials", code="unavailable")
    return s.credentials


def need_codes(s: Services) -> OneTimeCodes:
    if s.codes is None:
        raise PhancongError("this interface has no one-time codes", code="unavailable")
    return s.codes


async def state(s: Services, account_id: str) -> AccountState | None:
    """The account as its stream says now (never the read model: a disabled account stops at once)."""
    return accounts.fold([(e.payload, e.recorded_at) for e in await s.log.read_stream(stream_of(account_id))])


async def change(
    s: Services, account_id: str, actor: Actor, decide: Callable[[AccountState | None], list[DomainEvent]]
) -> AccountState | None:
    """Decide on the account's current state and record the events, deciding again if someone changed the account
    in between; the account afterwards."""
    for _ in range(5):
        current = await state(s, account_id)
        events = decide(current)
        if not events:
            return current
        now = s.clock.now()
        try:
            await s.log.append(
                stream_of(account_id),
                current.version if current is not None else 0,
                [NewEvent(payload=e, occurred_at=now, actor=actor) for e in events],
            )
        except ConcurrencyError:
            continue
        after = current
        for e in events:
            after = accounts.apply(after, e, now)
        return after
    raise PhancongError(f"account {account_id} kept changing; try again", code="busy")


@dataclass(frozen=True)
class Enrolment:
    """A one-time link's secret (shown once) and until when it works."""

    account_id: str
    token: str
    expires_at: datetime


async def _open_link(s: Services, account_id: str, enrolment_id: UUID, expires_at: datetime) -> str:
    token = secrets.token_urlsafe(32)
    secret = need_codes(s).new_secret()
    await need_credentials(s).open_enrolment(digest(token), enrolment_id, account_id, secret, expires_at)
    return token


async def create(
    s: Services,
    actor: Actor,
    login: str,
    name: str,
    scopes: list[str],
    *,
    contact: str = "",
    language: str = "vi",
) -> Enrolment:
    """A new account holding ``scopes`` (units the directory knows), and its enrolment link."""
    if actor != SYSTEM:
        require_role(actor, Role.HQ)
    account_id = accounts.login(login)
    wanted = [accounts.scope(text) for text in scopes]
    for unit in wanted:
        await known(s.directory, unit)
    accounts.create(  # refusals first
        await state(s, account_id), account_id, name=name, contact=contact, scopes=wanted, language=language
    )
    enrolment_id, now = uuid4(), s.clock.now()
    # The link first: were the events refused, a link no account's stream names opens nothing.
    token = await _open_link(s, account_id, enrolment_id, now + ENROLMENT_VALID)

    def decide(current: AccountState | None) -> list[DomainEvent]:
        created = accounts.create(current, account_id, name=name, contact=contact, scopes=wanted, language=language)
        opened = accounts.apply(None, created[0], now)
        return created + accounts.issue_enrolment(opened, enrolment_id, now, reset=False, valid_for=ENROLMENT_VALID)

    await change(s, account_id, actor, decide)
    return Enrolment(account_id, token, now + ENROLMENT_VALID)


async def _existing(s: Services, account_id: str) -> AccountState:
    return accounts.existing(await state(s, account_id), account_id)


async def grant(s: Services, actor: Actor, login: str, scope_text: str) -> AccountState | None:
    require_role(actor, Role.HQ)
    account_id, wanted = accounts.login(login), accounts.scope(scope_text)
    await known(s.directory, wanted)
    return await change(s, account_id, actor, lambda a: accounts.grant(accounts.existing(a, account_id), wanted))


async def revoke(s: Services, actor: Actor, login: str, scope_text: str) -> AccountState | None:
    """The account no longer acts as the unit: its sessions and tokens lose the scope at once."""
    require_role(actor, Role.HQ)
    account_id, gone = accounts.login(login), accounts.scope(scope_text)
    return await change(s, account_id, actor, lambda a: accounts.revoke(accounts.existing(a, account_id), gone))


async def disable(s: Services, actor: Actor, login: str, reason: str) -> AccountState | None:
    """The account acts no more: every session ends at once; its tokens stop working."""
    require_role(actor, Role.HQ)
    account_id = accounts.login(login)
    after = await change(s, account_id, actor, lambda a: accounts.disable(accounts.existing(a, account_id), reason))
    now = s.clock.now()
    credentials = need_credentials(s)
    await credentials.end_sessions(account_id, now, "disabled")
    await credentials.record_access(now, "account_disabled", account_id, None, f"by {actor}")
    return after


async def unlock(s: Services, actor: Actor, login: str) -> AccountState | None:
    require_role(actor, Role.HQ)
    account_id = accounts.login(login)
    after = await change(s, account_id, actor, lambda a: accounts.unlock(accounts.existing(a, account_id)))
    credentials = need_credentials(s)
    await credentials.clear_failures(f"account:{account_id}")
    await credentials.record_access(s.clock.now(), "account_unlocked", account_id, None, f"by {actor}")
    return after


async def reset(s: Services, actor: Actor, login: str) -> Enrolment:
    """A new enrolment link; the password (and second factor) it replaces stop working at once, and every session
    ends."""
    require_role(actor, Role.HQ)
    account_id = accounts.login(login)
    current = await _existing(s, account_id)
    accounts.issue_enrolment(current, uuid4(), s.clock.now(), reset=True, valid_for=ENROLMENT_VALID)  # refusals first
    enrolment_id, now = uuid4(), s.clock.now()
    token = await _open_link(s, account_id, enrolment_id, now + ENROLMENT_VALID)
    await change(
        s,
        account_id,
        actor,
        lambda a: accounts.issue_enrolment(
            accounts.existing(a, account_id), enrolment_id, now, reset=True, valid_for=ENROLMENT_VALID
        ),
    )
    await need_credentials(s).end_sessions(account_id, now, "reset")
    return Enrolment(account_id, token, now + ENROLMENT_VALID)


async def listed(s: Services, viewer: Actor) -> list[dict[str, Any]]:
    """Every account (HQ and auditors): login, name, scopes, status, tokens (never a secret)."""
    require_role(viewer, Role.HQ, Role.AUDITOR)
    await s.read.catch_up()
    return await s.read.accounts()


async def show(s: Services, viewer: Actor, login: str) -> dict[str, Any]:
    """One account as its stream says now: HQ and auditors any, a person their own."""
    account_id = accounts.login(login)
    if viewer.role not in (Role.HQ, Role.AUDITOR) and viewer.account != account_id:
        require_role(viewer, Role.HQ, Role.AUDITOR)
    return accounts.dump(await _existing(s, account_id))


async def first_account(s: Services) -> Enrolment | None:
    """On a database without accounts, the first HQ account (``admin``) and its enrolment link; None otherwise."""
    await s.read.catch_up()
    if await s.read.accounts():
        return None
    try:
        return await create(s, SYSTEM, FIRST_ACCOUNT, FIRST_ACCOUNT_NAME, ["hq"])
    except AlreadyExistsError:
        return None


async def access_log(
    s: Services, viewer: Actor, account: str | None = None, *, before: int | None = None, limit: int = 100
) -> list[AccessEntry]:
    """The access record (sign-ins, failures, locks, unlocks, sign-outs), newest first: HQ and auditors."""
    require_role(viewer, Role.HQ, Role.AUDITOR)
    if not 1 <= limit <= 10_000:
        raise InvalidInputError(f"--limit {limit}: 1 to 10,000")
    return await need_credentials(s).access_log(accounts.login(account) if account else None, before, limit)


async def choose_language(s: Services, viewer: Actor, language: str) -> AccountState | None:
    """The language a person reads phancong in: their own account's choice."""
    if viewer.account is None:
        raise InvalidInputError("only a person with an account chooses a language")
    account_id = viewer.account
    return await change(
        s,
        account_id,
        viewer,
        lambda current: accounts.choose_language(accounts.existing(current, account_id), language),
    )
