"""``app.ports.Credentials`` in memory, for the unit tests of the use cases (the same contract as PostgreSQL's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from app.ports import AccessEntry, Claim, EnrolmentLink, SessionRecord, StoredPassword


class MemoryCredentials:
    def __init__(self) -> None:
        self.links: dict[bytes, EnrolmentLink] = {}
        self.passwords: dict[str, StoredPassword] = {}
        self.last_step: dict[str, int] = {}
        self.sessions: dict[bytes, SessionRecord] = {}
        self.tokens: dict[bytes, tuple[UUID, str]] = {}
        self.failed: dict[str, tuple[int, datetime]] = {}
        self.log: list[AccessEntry] = []
        self.keys: dict[tuple[str, str], tuple[bytes, int | None, Any, datetime]] = {}

    async def open_enrolment(
        self, token_hash: bytes, enrolment_id: UUID, account_id: str, totp_secret: str, expires_at: datetime
    ) -> None:
        self.links[token_hash] = EnrolmentLink(enrolment_id, account_id, totp_secret, expires_at, False)

    async def enrolment(self, token_hash: bytes) -> EnrolmentLink | None:
        return self.links.get(token_hash)

    async def set_password(
        self, token_hash: bytes, enrolment: EnrolmentLink, password_hash: str, second_factor: bool, now: datetime
    ) -> bool:
        link = self.links.get(token_hash)
        if link is None or link.used:
            return False
        self.links[token_hash] = replace(link, used=True)
        secret = enrolment.totp_secret if second_factor else None
        self.passwords[enrolment.account_id] = StoredPassword(enrolment.enrolment_id, password_hash, secret)
        self.last_step.pop(enrolment.account_id, None)
        return True

    async def password(self, account_id: str) -> StoredPassword | None:
        return self.passwords.get(account_id)

    async def rehash(self, account_id: str, password_hash: str) -> None:
        self.passwords[account_id] = replace(self.passwords[account_id], password_hash=password_hash)

    async def use_code_step(self, account_id: str, step: int) -> bool:
        if self.last_step.get(account_id, -1) >= step:
            return False
        self.last_step[account_id] = step
        return True

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
    ) -> None:
        self.sessions[token_hash] = SessionRecord(session_id, account_id, scope, now, now, expires_at, False)

    async def session(self, token_hash: bytes) -> SessionRecord | None:
        return self.sessions.get(token_hash)

    async def touch_session(self, token_hash: bytes, now: datetime) -> None:
        found = self.sessions[token_hash]
        self.sessions[token_hash] = replace(found, last_seen_at=max(found.last_seen_at, now))

    async def set_session_scope(self, token_hash: bytes, scope: str) -> None:
        self.sessions[token_hash] = replace(self.sessions[token_hash], scope=scope)

    async def end_session(self, token_hash: bytes, now: datetime, why: str) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash] = replace(self.sessions[token_hash], ended=True)

    async def end_sessions(self, account_id: str, now: datetime, why: str) -> int:
        mine = [h for h, r in self.sessions.items() if r.account_id == account_id and not r.ended]
        for token_hash in mine:
            await self.end_session(token_hash, now, why)
        return len(mine)

    async def add_token(self, token_hash: bytes, token_id: UUID, account_id: str) -> None:
        self.tokens[token_hash] = (token_id, account_id)

    async def token(self, token_hash: bytes) -> tuple[UUID, str] | None:
        return self.tokens.get(token_hash)

    async def failures(self, keys: Sequence[str]) -> dict[str, tuple[int, datetime]]:
        return {k: self.failed[k] for k in keys if k in self.failed}

    async def fail(self, keys: Sequence[str], now: datetime) -> dict[str, int]:
        for k in keys:
            self.failed[k] = (self.failed.get(k, (0, now))[0] + 1, now)
        return {k: self.failed[k][0] for k in keys}

    async def clear_failures(self, key: str) -> None:
        self.failed.pop(key, None)

    async def record_access(
        self, at: datetime, kind: str, account_id: str | None, client: str | None, detail: str = ""
    ) -> None:
        self.log.append(AccessEntry(len(self.log) + 1, at, kind, account_id, client, detail))

    async def access_log(self, account_id: str | None, before: int | None, limit: int) -> list[AccessEntry]:
        found = [
            e
            for e in reversed(self.log)
            if (account_id is None or e.account_id == account_id) and (before is None or e.id < before)
        ]
        return found[:limit]

    async def claim_key(self, account_id: str, key: str, request_sha256: bytes, now: datetime) -> Claim:
        found = self.keys.get((account_id, key))
        if found is not None:
            digest, status, _, created = found
            if created < now - timedelta(hours=24) or (status is None and created < now - timedelta(minutes=5)):
                found = None
        if found is None:
            self.keys[(account_id, key)] = (request_sha256, None, None, now)
            return Claim("new")
        digest, status, response, _ = found
        if digest != request_sha256:
            return Claim("mismatch")
        if status is None:
            return Claim("running")
        return Claim("done", status, response)

    async def finish_key(self, account_id: str, key: str, status: int, response: Any) -> None:
        digest, _, _, created = self.keys[(account_id, key)]
        self.keys[(account_id, key)] = (digest, status, response, created)

    async def release_key(self, account_id: str, key: str) -> None:
        found = self.keys.get((account_id, key))
        if found is not None and found[1] is None:
            del self.keys[(account_id, key)]
