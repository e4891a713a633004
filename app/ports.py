"""What the use cases need from the world, as protocols. The adapters provide them (PostgreSQL, Temporal, in
memory) and the composition roots (the CLI, the API, the worker, the tests) choose which:

- ``EventLog``: the append-only log (``events.store.EventStore`` on PostgreSQL, ``events.memory.MemoryEventStore``);
- ``Directory``: the directory's current entries (``directory.repository.DirectoryRepository`` over its read model,
  ``directory.memory.MemoryDirectory`` over the log);
- ``Assignments``, ``Directives``: where commands reach the long-lived processes (Temporal workflows through
  ``gateway``; in the unit tests the same decisions run in memory);
- ``ReadModels``, ``Reports``, ``Outbox``, ``Audit``: the read side, notifications and the record's integrity
  (PostgreSQL: ``projections.queries``, ``projections.report_figures``, ``notifications.admin``, ``events.audit``);
- ``Credentials``, ``PasswordHasher``, ``OneTimeCodes``: what signing in needs kept apart from the log (hashed
  credentials, sessions, throttling, the access record, idempotency keys: ``accounts.postgres`` and
  ``accounts.memory``), argon2id (``accounts.hashing``) and TOTP (``accounts.totp``);
- ``Clock``: what time it is for people (the workflows keep their own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from domain.actors import Actor
from domain.assignment import AssignmentState
from domain.commands import Command, CommandResult
from domain.directive import DirectiveState, ResolvedDirective
from domain.event import DomainEvent
from events.envelope import AppendResult, NewEvent, RecordedEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class EventLog(Protocol):
    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent[DomainEvent]]
    ) -> AppendResult: ...

    async def read_stream(
        self, stream_id: str, *, after_version: int = 0, to_version: int | None = None
    ) -> list[RecordedEvent]: ...

    async def stream_version(self, stream_id: str) -> int: ...

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]: ...

    async def history(
        self,
        *,
        stream_id: str | None = None,
        member_id: str | None = None,
        cell_id: str | None = None,
        recorded_before: datetime | None = None,
    ) -> list[RecordedEvent]: ...


class HouseholdVault(Protocol):
    """Households' secret parts (head, denomination, sensitive tags) sealed under a data key per household, opened
    for readers allowed them, and erased by destroying the key (``directory.sealing.Vault``)."""

    async def seal(self, secrets_by_household: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]: ...

    async def open(self, entries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any] | None]: ...

    async def reveal(self, entries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]: ...

    async def erased(self, households: Iterable[str]) -> set[str]: ...

    async def erase(self, household_id: str, at: datetime) -> None: ...


class Directory(Protocol):
    """The directory as it stands (active entries), as the models of the directory file."""

    async def exists(self, kind: str, entry_id: str) -> bool: ...

    async def communes(self) -> list[Any]: ...

    async def cells(self, *, ids: list[str] | None = None, communes: list[str] | None = None) -> list[Any]: ...

    async def posts(self) -> list[Any]: ...

    async def members(self, *, ids: list[str] | None = None, post: str | None = None) -> list[Any]: ...

    async def households(
        self, *, ids: list[str] | None = None, cells: list[str] | None = None, reveal: bool = False
    ) -> list[Any]:
        """Households' clear parts; with ``reveal``, also their opened secret parts (erased ones marked so)."""
        ...

    async def member(self, member_id: str) -> Any | None: ...

    async def cell(self, cell_id: str) -> Any | None: ...

    async def counts(self) -> dict[str, int]: ...


class Assignments(Protocol):
    async def send(self, assignment_id: str, command: Command) -> CommandResult:
        """Deliver ``command``; its refusal (a coded CommandRejectedError) or the new version and stage."""
        ...

    async def state(self, assignment_id: str) -> AssignmentState | None: ...


class DirectiveAnswer(Protocol):
    @property
    def directive_id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def events(self) -> tuple[str, ...]: ...

    @property
    def assignment_ids(self) -> tuple[str, ...]: ...


class Directives(Protocol):
    async def issue(self, resolved: ResolvedDirective, actor: Actor) -> str:
        """Start the directive: "issued" once its first event is stored, "already_issued" for the same one."""
        ...

    async def send(self, code: str, command: Command) -> DirectiveAnswer: ...

    async def state(self, code: str) -> DirectiveState | None:
        """The running directive's own state (None once it has closed)."""
        ...

    async def introduced(self, assignment_ids: Sequence[str]) -> set[str]:
        """Those newly nominated assignments whose introduction letter is recorded (waiting a little for it)."""
        ...


class ReadModels(Protocol):
    """The projections the queries read, brought up to date first (``catch_up``)."""

    async def catch_up(self) -> None: ...

    async def open_assignments(self, role: str | None, unit: str | None) -> list[AssignmentState]: ...

    async def open_directives(self) -> dict[str, DirectiveState]: ...

    async def claimed_cells(self) -> set[tuple[str, str]]:
        """(directive, cell) of every assignment not ended."""
        ...

    async def assignment_units(self, assignment_id: str) -> dict[str, set[str]] | None:
        """The units an assignment belongs to, by role: post, commune, cell (asked and served), member."""
        ...

    async def directive_posts(self, code: str) -> set[str] | None: ...

    async def sponsored_households(self, post_id: str) -> set[str]: ...

    async def member_communes(self, member_id: str) -> set[str]:
        """The communes of every assignment the member has had."""
        ...

    async def directive_record(self, code: str) -> tuple[DirectiveState, list[AssignmentState]] | None: ...

    async def directive_stages(self, code: str, recorded_before: datetime | None) -> list[tuple[str, str | None]]:
        """(stage, cell) of each assignment of a directive as its last stage-changing event recorded then says."""
        ...

    async def list_directives(self) -> list[dict[str, Any]]: ...

    async def list_assignments(
        self, filters: dict[str, str], *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Assignments matching every filter (column: value), by id: ``limit`` of them after ``after``."""
        ...

    async def failures(self) -> list[Any]: ...

    async def lag(self) -> tuple[int, int]:
        """(the read models' checkpoint, how many settled events they have yet to apply)."""
        ...

    async def rebuild(self) -> Any:
        """Every read model made again from the log and swapped in; its figures (events, seconds, tables)."""
        ...

    async def accounts(self) -> list[dict[str, Any]]:
        """Every account as the read model holds it (``domain.accounts.dump``), by login."""
        ...

    async def officers_with_assignments(self) -> set[tuple[str, str]]:
        """(role, id) of everyone who may have tasks: the units of open assignments, the posts of open directives."""
        ...


class Reports(Protocol):
    async def figures(self, scope: Any, today: date, as_of: datetime | None = None) -> Any:
        """The figures of ``scope``; with ``as_of``, from the events recorded before that instant only."""
        ...


class Outbox(Protocol):
    async def list(
        self, status: str | None, role: str | None, unit: str | None, limit: int
    ) -> list[dict[str, Any]]: ...

    async def status(self, notification_id: UUID) -> str | None: ...

    async def retry(self, notification_id: UUID, actor: Actor) -> None: ...


class Audit(Protocol):
    async def verify(self, stream: str | None) -> Any: ...

    async def seal(self) -> Any: ...

    async def holds_seal(self, seal_hash: bytes) -> bool: ...

    async def export(self, directive: str, out: Path) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class EnrolmentLink:
    enrolment_id: UUID
    account_id: str
    totp_secret: str
    expires_at: datetime
    used: bool


@dataclass(frozen=True)
class StoredPassword:
    enrolment_id: UUID
    password_hash: str
    totp_secret: str | None


@dataclass(frozen=True)
class SessionRecord:
    session_id: UUID
    account_id: str
    scope: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended: bool


@dataclass(frozen=True)
class AccessEntry:
    id: int
    at: datetime
    kind: str
    account_id: str | None
    client: str | None
    detail: str


@dataclass(frozen=True)
class Claim:
    """What an Idempotency-Key found: ``new`` (run the request), ``done`` (answer ``status``/``response``),
    ``running`` (the first request has not finished) or ``mismatch`` (the key came with another request)."""

    outcome: str
    status: int | None = None
    response: Any = None


class Credentials(Protocol):
    async def open_enrolment(
        self, token_hash: bytes, enrolment_id: UUID, account_id: str, totp_secret: str, expires_at: datetime
    ) -> None: ...

    async def enrolment(self, token_hash: bytes) -> EnrolmentLink | None: ...

    async def set_password(
        self, token_hash: bytes, enrolment: EnrolmentLink, password_hash: str, second_factor: bool, now: datetime
    ) -> bool:
        """Store the password (and the link's TOTP key when ``second_factor``) and mark the link used, once: False
        when the link was used already."""
        ...

    async def password(self, account_id: str) -> StoredPassword | None: ...

    async def rehash(self, account_id: str, password_hash: str) -> None: ...

    async def use_code_step(self, account_id: str, step: int) -> bool:
        """Record that the TOTP time step ``step`` was used: False if it (or a later one) was used already."""
        ...

    async def start_session(
        self,
        token_hash: bytes,
        *,
        session_id: UUID,
        account_id: str,
        scope: str | None,
        now: datetime,
        expires_at: datetime,
        client: str | None,
    ) -> None: ...

    async def session(self, token_hash: bytes) -> SessionRecord | None: ...

    async def touch_session(self, token_hash: bytes, now: datetime) -> None: ...

    async def set_session_scope(self, token_hash: bytes, scope: str) -> None: ...

    async def end_session(self, token_hash: bytes, now: datetime, why: str) -> None: ...

    async def end_sessions(self, account_id: str, now: datetime, why: str) -> int: ...

    async def add_token(self, token_hash: bytes, token_id: UUID, account_id: str) -> None: ...

    async def token(self, token_hash: bytes) -> tuple[UUID, str] | None: ...

    async def failures(self, keys: Sequence[str]) -> dict[str, tuple[int, datetime]]: ...

    async def fail(self, keys: Sequence[str], now: datetime) -> dict[str, int]: ...

    async def clear_failures(self, key: str) -> None: ...

    async def record_access(
        self, at: datetime, kind: str, account_id: str | None, client: str | None, detail: str = ""
    ) -> None: ...

    async def access_log(self, account_id: str | None, before: int | None, limit: int) -> list[AccessEntry]: ...

    async def claim_key(self, account_id: str, key: str, request_sha256: bytes, now: datetime) -> Claim: ...

    async def finish_key(self, account_id: str, key: str, status: int, response: Any) -> None: ...

    async def release_key(self, account_id: str, key: str) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class OneTimeCodes(Protocol):
    """TOTP (RFC 6238): a new key, its provisioning URI, and which time step a code matches (None: no match)."""

    def new_secret(self) -> str: ...

    def uri(self, secret: str, login: str) -> str: ...

    def step_of(self, secret: str, code: str, now: datetime) -> int | None: ...
