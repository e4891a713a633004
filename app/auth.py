"""Who a request is: enrolment, signing in and out, sessions, personal API tokens, throttling, the access record.

- A password is kept as argon2id (``PasswordHasher``); a session, an API token and an enrolment link are random
  secrets (256 bits) kept only as their SHA-256. None of them is ever logged, recorded in an event or shown
  again after it was made.
- Signing in takes the login, the password and, for accounts with a second factor, a TOTP code, in one request;
  any of them wrong is the same answer (``invalid_credentials``), so a guess teaches nothing. Failures in a row
  slow the account's sign-in down (each attempt after the third waits twice as long as the one before, up to
  five minutes), and at ``max_failures`` the account is locked (an event; HQ unlocks). A client address with
  ``max_client_failures`` failures is refused for ``client_window``. Every sign-in, failure, lock and sign-out
  is in the access record auditors read.
- A session ends after ``session_idle`` without a request, after ``session_absolute`` in any case, at sign-out,
  and at once when the account is disabled, reset or locked, or loses the scope it acts in (every request reads
  the account's own stream). Its CSRF token is derived from it (``csrf_of``).
- A request acts in one scope: the one it names (``Phancong-Scope``), else the one its session chose, else the
  account's only one.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

from app.accounts import change, digest, need_codes, need_credentials, state
from app.ports import Credentials, EnrolmentLink, PasswordHasher
from app.services import Services
from domain import accounts, passwords
from domain.accounts import AccountState
from domain.actors import SYSTEM, Actor
from domain.errors import InvalidInputError, NotFoundError, PhancongError

# What a session's and an API token's secret start with (so that a leaked one is recognised, e.g. by scanners).
SESSION_PREFIX = "pcs_"
TOKEN_PREFIX = "pct_"  # noqa: S105


@dataclass(frozen=True)
class AuthPolicy:
    session_idle: timedelta = timedelta(minutes=30)
    session_absolute: timedelta = timedelta(hours=12)
    max_failures: int = 10
    slow_after: int = 3
    max_client_failures: int = 50
    client_window: timedelta = timedelta(minutes=15)
    longest_wait: timedelta = timedelta(minutes=5)


DEFAULT_POLICY = AuthPolicy()


class NotSignedInError(PhancongError):
    code = "not_signed_in"


class InvalidCredentialsError(PhancongError):
    code = "invalid_credentials"


class TooManyAttemptsError(PhancongError):
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountLockedError(PhancongError):
    code = "account_locked"


class AccountDisabledError(PhancongError):
    code = "account_disabled"


@functools.cache
def blocked_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked password lists (zxcvbn's, lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415 - 800 kB of words, read when first needed

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def csrf_of(session_token: str) -> str:
    """The CSRF token of a session: derived from the session's secret (which it does not reveal), so it needs no
    storage and changes with the session."""
    mac = hashlib.sha256(b"phancong-csrf\0" + session_token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Principal:
    """Who a request is: the account as it stands, the scope it acts in (``actor``, with the account), and how it
    proved it."""

    account: AccountState
    actor: Actor
    via: Literal["session", "token"]
    allowed: tuple[Actor, ...]
    session_hash: bytes | None = None
    csrf: str | None = None
    token_id: UUID | None = None


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    csrf: str
    principal: Principal
    expires_at: datetime


# -- enrolment ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentView:
    """What the enrolment page shows: whose link it is, whether a second factor is required, and the TOTP key
    offered (as a provisioning URI for an authenticator app, and as text)."""

    account_id: str
    name: str
    second_factor_required: bool
    totp_secret: str
    totp_uri: str
    expires_at: datetime


async def _open_link(s: Services, token: str) -> tuple[AccountState, bytes, EnrolmentLink]:
    credentials = need_credentials(s)
    link = await credentials.enrolment(digest(token))
    now = s.clock.now()
    account = None if link is None else await state(s, link.account_id)
    if link is None or link.used or account is None or not account.enrolment_open(link.enrolment_id, now):
        raise accounts.EnrolmentClosedError(
            "this enrolment link has expired or was used or replaced; ask HQ for a new one"
        )
    return account, digest(token), link


async def enrolment(s: Services, token: str) -> EnrolmentView:
    account, _, link = await _open_link(s, token)
    secret = link.totp_secret
    return EnrolmentView(
        account_id=account.account_id,
        name=account.name,
        second_factor_required=account.needs_second_factor,
        totp_secret=secret,
        totp_uri=need_codes(s).uri(secret, account.account_id),
        expires_at=link.expires_at,
    )


async def enrol(s: Services, token: str, password: str, code: str | None) -> AccountState:
    """Set the password (and, with a code from the offered key, the second factor) through a one-time link."""
    account, token_hash, found = await _open_link(s, token)
    second_factor = bool(code)
    if account.needs_second_factor and not second_factor:
        raise accounts.SecondFactorRequiredError(
            "hq and auditor accounts enrol a second factor: add the key to an authenticator app and give its code"
        )
    now = s.clock.now()
    if second_factor and need_codes(s).step_of(found.totp_secret, code or "", now) is None:
        raise InvalidInputError("the one-time code does not match the key (check the phone's time, or the key)")
    refused = passwords.problem(
        password,
        second_factor=second_factor,
        blocked=blocked_passwords(),
        login=account.account_id,
        context=(account.name,),
    )
    if refused is not None:
        raise InvalidInputError(refused)
    hashed = await asyncio.to_thread(_hasher(s).hash, passwords.normal(password))
    credentials = need_credentials(s)
    if not await credentials.set_password(token_hash, found, hashed, second_factor, now):
        raise accounts.EnrolmentClosedError("this enrolment link was used already")
    actor = account.scopes[0].by(account.account_id) if account.scopes else SYSTEM
    after = await change(
        s,
        account.account_id,
        actor,
        lambda a: accounts.enrol(
            accounts.existing(a, account.account_id), found.enrolment_id, now, second_factor=second_factor
        ),
    )
    await credentials.record_access(now, "enrolled", account.account_id, None, "second factor" if second_factor else "")
    assert after is not None
    return after


def _hasher(s: Services) -> PasswordHasher:
    if s.hasher is None:
        raise PhancongError("this interface verifies no passwords", code="unavailable")
    return s.hasher


# -- signing in -------------------------------------------------------------------------------------------


def _wait(failures: int, last: datetime, now: datetime, policy: AuthPolicy) -> int:
    """Seconds the next attempt must still wait after ``failures`` in a row, the last at ``last``."""
    if failures < policy.slow_after:
        return 0
    delay = min(timedelta(seconds=2 ** (failures - policy.slow_after)), policy.longest_wait)
    return max(0, math.ceil((last + delay - now).total_seconds()))


_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the login is unknown, so that an unknown login takes as long as a known one."""
    key = id(hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH[key]


async def sign_in(
    s: Services,
    login: str,
    password: str,
    code: str | None,
    client: str | None,
    *,
    scope: str | None = None,
    policy: AuthPolicy = DEFAULT_POLICY,
) -> SignedIn:
    credentials, hasher, now = need_credentials(s), _hasher(s), s.clock.now()
    try:
        account_id = accounts.login(login)
    except InvalidInputError:
        account_id = None
    account_key = f"account:{account_id}" if account_id else None
    client_key = f"client:{client}" if client else None
    keys = [k for k in (account_key, client_key) if k is not None]
    seen = await credentials.failures(keys)
    if client_key in seen:
        count, last = seen[client_key]
        if count >= policy.max_client_failures and now - last < policy.client_window:
            wait = math.ceil((last + policy.client_window - now).total_seconds())
            raise TooManyAttemptsError("too many failed sign-ins from this address; wait and try again", wait)
    if account_key in seen:
        wait = _wait(*seen[account_key], now, policy)
        if wait > 0:
            raise TooManyAttemptsError(f"too many failed sign-ins; try again in {wait} s", wait)

    account = await state(s, account_id) if account_id else None
    stored = await credentials.password(account_id) if account is not None and account_id else None
    text = passwords.normal(password)[: passwords.MAX_LENGTH * 4]
    matches = await asyncio.to_thread(hasher.verify, stored.password_hash if stored else _dummy_hash(hasher), text)
    proven = (
        matches
        and account is not None
        and stored is not None
        and account.enrolled
        and stored.enrolment_id == account.enrolled_with
    )
    if proven and account is not None and account.second_factor:
        step = need_codes(s).step_of(stored.totp_secret or "", code or "", now) if stored else None
        proven = step is not None and await credentials.use_code_step(account.account_id, step)
    if not proven or account is None:
        await _failed(
            s,
            credentials=credentials,
            account=account,
            keys=keys,
            account_key=account_key,
            client=client,
            now=now,
            policy=policy,
        )
        raise InvalidCredentialsError("the login, the password or the one-time code is wrong")

    if account.disabled:
        await credentials.record_access(now, "sign_in_refused", account.account_id, client, "disabled")
        raise AccountDisabledError("this account is disabled")
    if account.locked:
        await credentials.record_access(now, "sign_in_refused", account.account_id, client, "locked")
        raise AccountLockedError("this account is locked after too many failed sign-ins; HQ unlocks it")
    if not account.scopes:
        raise accounts.ScopeNotHeldError("this account holds no scope any more; HQ grants one")
    if not account.may_sign_in():
        raise accounts.SecondFactorRequiredError(
            "this account now needs a second factor: ask HQ to reset it and enrol one with the new link"
        )
    # The session acts in the scope asked for, else the account's first (``/session/scope`` changes it).
    chosen = accounts.acting_scope(account, account.scopes, scope or str(account.scopes[0]))
    if stored is not None and hasher.needs_rehash(stored.password_hash):
        await credentials.rehash(account.account_id, await asyncio.to_thread(hasher.hash, text))
    if account_key is not None:
        await credentials.clear_failures(account_key)
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    expires = now + policy.session_absolute
    await credentials.start_session(
        digest(token),
        session_id=uuid4(),
        account_id=account.account_id,
        scope=str(chosen.scope),
        now=now,
        expires_at=expires,
        client=client,
    )
    await credentials.record_access(now, "signed_in", account.account_id, client)
    csrf = csrf_of(token)
    principal = Principal(account, chosen, "session", account.scopes, digest(token), csrf)
    return SignedIn(token, csrf, principal, expires)


async def _failed(
    s: Services,
    *,
    credentials: Credentials,
    account: AccountState | None,
    keys: list[str],
    account_key: str | None,
    client: str | None,
    now: datetime,
    policy: AuthPolicy,
) -> None:
    counts = await credentials.fail(keys, now)
    known = account.account_id if account is not None else None
    await credentials.record_access(now, "sign_in_failed", known, client)
    if account is not None and account_key is not None and counts.get(account_key, 0) >= policy.max_failures:
        reason = f"{counts[account_key]} failed sign-ins in a row"
        locked = await change(s, account.account_id, SYSTEM, lambda a: accounts.lock(accounts.existing(a, ""), reason))
        if locked is not None and locked.locked and not account.locked:
            await credentials.end_sessions(account.account_id, now, "locked")
            await credentials.record_access(now, "account_locked", account.account_id, client, reason)


async def sign_out(s: Services, session_token: str) -> None:
    credentials, now = need_credentials(s), s.clock.now()
    found = await credentials.session(digest(session_token))
    await credentials.end_session(digest(session_token), now, "signed out")
    if found is not None and not found.ended:
        await credentials.record_access(now, "signed_out", found.account_id, None)


# -- who a request is -------------------------------------------------------------------------------------


async def from_session(
    s: Services, session_token: str, wanted: str | None, *, policy: AuthPolicy = DEFAULT_POLICY
) -> Principal:
    credentials, now = need_credentials(s), s.clock.now()
    token_hash = digest(session_token)
    found = await credentials.session(token_hash)
    if found is None or found.ended:
        raise NotSignedInError("sign in first")
    if now >= found.expires_at or now - found.last_seen_at >= policy.session_idle:
        await credentials.end_session(token_hash, now, "expired")
        raise NotSignedInError("the session has expired; sign in again")
    account = await state(s, found.account_id)
    if account is None or not account.may_sign_in():
        await credentials.end_session(token_hash, now, "account no longer active")
        raise NotSignedInError("this account may no longer sign in")
    if not wanted and found.scope is not None and account.holds(accounts.scope(found.scope)):
        wanted = found.scope
    actor = accounts.acting_scope(account, account.scopes, wanted)
    if now - found.last_seen_at >= timedelta(seconds=30):
        await credentials.touch_session(token_hash, now)
    return Principal(account, actor, "session", account.scopes, token_hash, csrf_of(session_token))


async def from_token(s: Services, api_token: str, wanted: str | None) -> Principal:
    credentials, now = need_credentials(s), s.clock.now()
    found = await credentials.token(digest(api_token))
    if found is None:
        raise NotSignedInError("unknown API token")
    token_id, account_id = found
    account = await state(s, account_id)
    token = None if account is None else account.tokens.get(token_id)
    if account is None or token is None or not token.live(now):
        raise NotSignedInError("this API token has expired or was revoked")
    if not account.may_sign_in():
        raise NotSignedInError("this account may no longer sign in")
    actor = accounts.acting_scope(account, token.scopes, wanted)
    return Principal(account, actor, "token", token.scopes, token_id=token_id)


async def choose_scope(s: Services, principal: Principal, wanted: str) -> Principal:
    """The session acts in ``wanted`` from now on."""
    if principal.via != "session" or principal.session_hash is None:
        raise InvalidInputError("an API token acts in the scope each request names")
    actor = accounts.acting_scope(principal.account, principal.allowed, wanted)
    await need_credentials(s).set_session_scope(principal.session_hash, str(actor.scope))
    return Principal(principal.account, actor, "session", principal.allowed, principal.session_hash, principal.csrf)


# -- personal API tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    token_id: UUID
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime


async def issue_token(s: Services, principal: Principal, name: str, scopes: list[str], days: int) -> IssuedToken:
    """A personal API token for scripts, carrying ``scopes`` (default: all the account's), for ``days``."""
    if principal.via != "session":
        raise InvalidInputError("API tokens are made from a signed-in session, not with another token")
    account_id = principal.account.account_id
    wanted = [accounts.scope(text) for text in scopes]
    token_id, now = uuid4(), s.clock.now()
    after = await change(
        s,
        account_id,
        principal.actor,
        lambda a: accounts.issue_token(
            accounts.existing(a, account_id), token_id, name=name, scopes=wanted, now=now, days=days
        ),
    )
    assert after is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await need_credentials(s).add_token(digest(token), token_id, account_id)
    issued = after.tokens[token_id]
    return IssuedToken(token, token_id, issued.name, tuple(str(x) for x in issued.scopes), issued.expires_at)


async def revoke_token(s: Services, principal: Principal, token_id: UUID, account_id: str | None = None) -> None:
    """Revoke one of the principal's own tokens (HQ: anyone's, naming the account)."""
    owner = account_id or principal.account.account_id
    if owner != principal.account.account_id and principal.actor.role.value != "hq":
        raise NotFoundError(f"no token {token_id}")
    await change(s, owner, principal.actor, lambda a: accounts.revoke_token(accounts.existing(a, owner), token_id))


def token_list(account: AccountState, now: datetime) -> list[dict[str, object]]:
    return [
        {
            "token_id": str(t.token_id),
            "name": t.name,
            "scopes": [str(x) for x in t.scopes],
            "issued_at": t.issued_at,
            "expires_at": t.expires_at,
            "state": "revoked" if t.revoked else "expired" if now >= t.expires_at else "live",
        }
        for t in sorted(account.tokens.values(), key=lambda t: t.issued_at)
    ]
