"""The integrity hash: what it covers, how it chains, and how a stored chain is verified.

The algorithm (the README repeats it for auditors):

1. ``content`` is a JSON object of the event as its writer chose it::

       {"event_id", "stream_id", "stream_version", "event_type", "schema_version", "occurred_at",
        "actor": {"role", "id"}, "directive_id", "causation_id", "member_id", "cell_id", "payload"}

   where ``actor`` also holds ``"account"`` (the login of the person behind the role) when the event records
   one, and has no such key otherwise (events stored before accounts existed keep their hashes); with
   timestamps as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC), absent values as ``null``, serialized with sorted keys,
   no whitespace, UTF-8 (``json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
   ``content_hash = SHA-256(that text)``.
2. ``hash = SHA-256(previous_hash || content_hash || recorded_at)`` where ``previous_hash`` is the hash of
   the stream's previous event (32 zero bytes for version 1), ``recorded_at`` is the storage time in the
   same text form (ASCII), and ``||`` is byte concatenation.

The content hash is the writer's fingerprint (a retry with the same event id must match it); the chain
hash is computed by the database inside the appending statement (``phancong_chain_hashes``), so it also
seals the storage time and the event's place after its predecessor.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.canonical import canonical_json

ZERO_HASH = bytes(32)

ProblemKind = Literal["content_altered", "chain_broken", "version_gap"]


def utc_text(moment: datetime) -> str:
    """A timestamp as hashed: UTC, microseconds, ``Z`` (e.g. ``2026-03-01T01:02:03.000000Z``)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


def content_document(
    *,
    event_id: UUID,
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    occurred_at: datetime,
    actor_role: str,
    actor_id: str | None,
    directive_id: str | None,
    causation_id: str | None,
    member_id: str | None,
    cell_id: str | None,
    payload: Any,
    actor_account: str | None = None,
) -> dict[str, Any]:
    actor = {"role": actor_role, "id": actor_id} | ({} if actor_account is None else {"account": actor_account})
    return {
        "event_id": str(event_id),
        "stream_id": stream_id,
        "stream_version": stream_version,
        "event_type": event_type,
        "schema_version": schema_version,
        "occurred_at": utc_text(occurred_at),
        "actor": actor,
        "directive_id": directive_id,
        "causation_id": causation_id,
        "member_id": member_id,
        "cell_id": cell_id,
        "payload": payload,
    }


def content_hash(document: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).digest()


# json.dumps(ensure_ascii=False) escapes every string with this C function; using it directly lets writers
# and the verifier build the canonical text without a dict and a second pass over the payload.
_quote: Callable[[str], str] = json.encoder.encode_basestring


def _text(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def fast_content_hash(
    *,
    event_id: UUID,
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    occurred_at: datetime,
    actor_role: str,
    actor_id: str | None,
    directive_id: str | None,
    causation_id: str | None,
    member_id: str | None,
    cell_id: str | None,
    payload_json: str,
    actor_account: str | None = None,
) -> bytes:
    """``content_hash(content_document(...))``, given the payload's canonical JSON (tests prove them equal)."""
    account = "" if actor_account is None else f'"account":{_quote(actor_account)},'
    text = (
        f'{{"actor":{{{account}"id":{_text(actor_id)},"role":{_quote(actor_role)}}},'
        f'"causation_id":{_text(causation_id)},"cell_id":{_text(cell_id)},"directive_id":{_text(directive_id)},'
        f'"event_id":"{event_id}","event_type":{_quote(event_type)},"member_id":{_text(member_id)},'
        f'"occurred_at":"{utc_text(occurred_at)}","payload":{payload_json},"schema_version":{schema_version},'
        f'"stream_id":{_quote(stream_id)},"stream_version":{stream_version}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).digest()


def chain_hash(previous: bytes, content: bytes, recorded_at: datetime) -> bytes:
    return hashlib.sha256(previous + content + utc_text(recorded_at).encode("ascii")).digest()


class StoredLink(BaseModel):
    """One stored event as the verifier reads it: raw columns, payload as the database returns it."""

    model_config = ConfigDict(frozen=True)

    global_position: int
    event_id: UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor_role: str
    actor_id: str | None
    actor_account: str | None
    directive_id: str | None
    causation_id: str | None
    member_id: str | None
    cell_id: str | None
    payload: str
    content_hash: bytes
    hash: bytes

    def recomputed_content_hash(self) -> bytes:
        return fast_content_hash(
            event_id=self.event_id,
            stream_id=self.stream_id,
            stream_version=self.stream_version,
            event_type=self.event_type,
            schema_version=self.schema_version,
            occurred_at=self.occurred_at,
            actor_role=self.actor_role,
            actor_id=self.actor_id,
            actor_account=self.actor_account,
            directive_id=self.directive_id,
            causation_id=self.causation_id,
            member_id=self.member_id,
            cell_id=self.cell_id,
            # The database may reformat jsonb; the hash is over the canonical form of its value.
            payload_json=canonical_json(json.loads(self.payload)),
        )


class IntegrityProblem(BaseModel):
    """The first broken link found in a stream."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    stream_version: int
    event_id: UUID
    global_position: int
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.stream_id}@{self.stream_version} (event {self.event_id}, position {self.global_position}): "
            f"{self.kind}: {self.detail}"
        )


class ChainVerifier:
    """Checks links fed in (stream, version) order; reports the first problem of each stream once.

    After a problem the rest of that stream is skipped: every later hash depends on the broken one.
    """

    def __init__(self) -> None:
        self._stream: str | None = None
        self._previous = ZERO_HASH
        self._expected_version = 1
        self._broken = False

    def check(self, link: StoredLink) -> IntegrityProblem | None:
        if link.stream_id != self._stream:
            self._stream, self._previous, self._expected_version, self._broken = (
                link.stream_id,
                ZERO_HASH,
                1,
                False,
            )
        if self._broken:
            return None
        problem = _problem_of(link, self._previous, self._expected_version)
        if problem is not None:
            self._broken = True
            return problem
        self._previous, self._expected_version = link.hash, self._expected_version + 1
        return None


def first_problems(links: Iterable[StoredLink]) -> Iterator[IntegrityProblem]:
    """The first problem of each stream among ``links`` (ordered by stream, then version)."""
    verifier = ChainVerifier()
    for link in links:
        problem = verifier.check(link)
        if problem is not None:
            yield problem


def _problem_of(link: StoredLink, previous: bytes, expected_version: int) -> IntegrityProblem | None:
    def problem(kind: ProblemKind, detail: str) -> IntegrityProblem:
        return IntegrityProblem(
            stream_id=link.stream_id,
            stream_version=link.stream_version,
            event_id=link.event_id,
            global_position=link.global_position,
            kind=kind,
            detail=detail,
        )

    if link.stream_version != expected_version:
        return problem("version_gap", f"expected version {expected_version}; events before it are missing")
    if link.recomputed_content_hash() != link.content_hash:
        return problem("content_altered", "the stored content no longer matches its content hash")
    if chain_hash(previous, link.content_hash, link.recorded_at) != link.hash:
        return problem("chain_broken", "the hash does not follow from the previous event's hash")
    return None


# -- seals of the global log (events.seals computes them in the database) --------------------------------

ZERO = bytes(32)


@dataclass(frozen=True)
class Seal:
    seal_no: int
    position: int
    events: int
    digest: bytes
    previous: bytes
    hash: bytes


@dataclass(frozen=True)
class LogProblem:
    seal_no: int
    message: str

    def __str__(self) -> str:
        return f"seal #{self.seal_no}: {self.message}"


@dataclass(frozen=True)
class LogReport:
    seals: int
    events_sealed: int
    events_unsealed: int
    latest: Seal | None
    problems: tuple[LogProblem, ...]


def step(digest: bytes, position: int, link: bytes) -> bytes:
    """The log digest after one more event."""
    return hashlib.sha256(digest + struct.pack(">q", position) + link).digest()


def seal_hash(previous: bytes, seal_no: int, position: int, events: int, digest: bytes) -> bytes:
    return hashlib.sha256(previous + struct.pack(">iqq", seal_no, position, events) + digest).digest()
