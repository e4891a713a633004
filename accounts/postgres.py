"""``app.ports.Credentials`` on PostgreSQL (migration 0008): hashes, sessions, throttling, the access record and
idempotency keys, each change one statement (atomic on its own)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from app.ports import AccessEntry, Claim, EnrolmentLink, SessionRecord, StoredPassword
from infra.postgres import Pool


class PostgresCredentials:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def open_enrolment(
        self, token_hash: bytes, enrolment_id: UUID, account_id: str, totp_secret: str, expires_at: datetime
    ) -> None:
        await self._pool.execute(
            "INSERT INTO enrolment_links (token_hash, enrolment_id, account_id, totp_secret, expires_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            token_hash,
            enrolment_id,
            account_id,
            totp_secret,
            expires_at,
        )

    async def enrolment(self, token_hash: bytes) -> EnrolmentLink | None:
        row = await self._pool.fetchrow(
            "SELECT enrolment_id, account_id, totp_secret, expires_at, used_at IS NOT NULL AS used "
            "FROM enrolment_links WHERE token_hash = $1",
            token_hash,
        )
        return None if row is None else EnrolmentLink(**dict(row))

    async def set_password(
        self, token_hash: bytes, enrolment: EnrolmentLink, password_hash: str, second_factor: bool, now: datetime
    ) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            used = await conn.fetchval(
                "UPDATE enrolment_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL RETURNING 1",
                token_hash,
                now,
            )
            if used is None:
                return False
            await conn.execute(
                "INSERT INTO account_credentials (account_id, enrolment_id, password_hash, totp_secret, set_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET "
                "enrolment_id = EXCLUDED.enrolment_id, password_hash = EXCLUDED.password_hash, "
                "totp_secret = EXCLUDED.totp_secret, totp_last_step = NULL, set_at = EXCLUDED.set_at",
                enrolment.account_id,
                enrolment.enrolment_id,
                password_hash,
                enrolment.totp_secret if second_factor else None,
                now,
            )
            return True

    async def password(self, account_id: str) -> StoredPassword | None:
        row = await self._pool.fetchrow(
            "SELECT enrolment_id, password_hash, totp_secret FROM account_credentials WHERE account_id = $1",
            account_id,
        )
        return None if row is None else StoredPassword(**dict(row))

    async def rehash(self, account_id: str, password_hash: str) -> None:
        await self._pool.execute(
            "UPDATE account_credentials SET password_hash = $2 WHERE account_id = $1", account_id, password_hash
        )

    async def use_code_step(self, account_id: str, step: int) -> bool:
        used = await self._pool.fetchval(
            "UPDATE account_credentials SET totp_last_step = $2 "
            "WHERE account_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING 1",
            account_id,
            step,
        )
        return used is not None

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
        await self._pool.execute(
            "INSERT INTO sessions (token_hash, session_id, account_id, scope, created_at, last_seen_at, expires_at, "
            "client) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
            token_hash,
            session_id,
            account_id,
            scope,
            now,
            expires_at,
            client,
        )

    async def session(self, token_hash: bytes) -> SessionRecord | None:
        row = await self._pool.fetchrow(
            "SELECT session_id, account_id, scope, created_at, last_seen_at, expires_at, ended_at IS NOT NULL AS ended "
            "FROM sessions WHERE token_hash = $1",
            token_hash,
        )
        return None if row is None else SessionRecord(**dict(row))

    async def touch_session(self, token_hash: bytes, now: datetime) -> None:
        await self._pool.execute(
            "UPDATE sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE token_hash = $1", token_hash, now
        )

    async def set_session_scope(self, token_hash: bytes, scope: str) -> None:
        await self._pool.execute("UPDATE sessions SET scope = $2 WHERE token_hash = $1", token_hash, scope)

    async def end_session(self, token_hash: bytes, now: datetime, why: str) -> None:
        await self._pool.execute(
            "UPDATE sessions SET ended_at = $2, ended_why = $3 WHERE token_hash = $1 AND ended_at IS NULL",
            token_hash,
            now,
            why,
        )

    async def end_sessions(self, account_id: str, now: datetime, why: str) -> int:
        ended = await self._pool.fetch(
            "UPDATE sessions SET ended_at = $2, ended_why = $3 WHERE account_id = $1 AND ended_at IS NULL RETURNING 1",
            account_id,
            now,
            why,
        )
        return len(ended)

    async def add_token(self, token_hash: bytes, token_id: UUID, account_id: str) -> None:
        await self._pool.execute(
            "INSERT INTO api_tokens (token_hash, token_id, account_id) VALUES ($1, $2, $3)",
            token_hash,
            token_id,
            account_id,
        )

    async def token(self, token_hash: bytes) -> tuple[UUID, str] | None:
        row = await self._pool.fetchrow("SELECT token_id, account_id FROM api_tokens WHERE token_hash = $1", token_hash)
        return None if row is None else (row["token_id"], row["account_id"])

    async def failures(self, keys: Sequence[str]) -> dict[str, tuple[int, datetime]]:
        rows = await self._pool.fetch(
            "SELECT key, failures, last_failure_at FROM sign_in_failures WHERE key = ANY($1::text[])", list(keys)
        )
        return {r["key"]: (r["failures"], r["last_failure_at"]) for r in rows}

    async def fail(self, keys: Sequence[str], now: datetime) -> dict[str, int]:
        rows = await self._pool.fetch(
            "INSERT INTO sign_in_failures (key, failures, last_failure_at) SELECT k, 1, $2 FROM unnest($1::text[]) k "
            "ON CONFLICT (key) DO UPDATE SET failures = sign_in_failures.failures + 1, "
            "last_failure_at = EXCLUDED.last_failure_at RETURNING key, failures",
            list(keys),
            now,
        )
        return {r["key"]: r["failures"] for r in rows}

    async def clear_failures(self, key: str) -> None:
        await self._pool.execute("DELETE FROM sign_in_failures WHERE key = $1", key)

    async def record_access(
        self, at: datetime, kind: str, account_id: str | None, client: str | None, detail: str = ""
    ) -> None:
        await self._pool.execute(
            "INSERT INTO access_log (at, kind, account_id, client, detail) VALUES ($1, $2, $3, $4, $5)",
            at,
            kind,
            account_id,
            client,
            detail,
        )

    async def access_log(self, account_id: str | None, before: int | None, limit: int) -> list[AccessEntry]:
        rows = await self._pool.fetch(
            "SELECT id, at, kind, account_id, client, detail FROM access_log "
            "WHERE ($1::text IS NULL OR account_id = $1) AND ($2::bigint IS NULL OR id < $2) "
            "ORDER BY id DESC LIMIT $3",
            account_id,
            before,
            limit,
        )
        return [AccessEntry(**dict(r)) for r in rows]

    async def claim_key(self, account_id: str, key: str, request_sha256: bytes, now: datetime) -> Claim:
        # A key is kept a day; a first request that never finished (its process died) is given up after a while.
        await self._pool.execute(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND "
            "(created_at < $3::timestamptz - interval '24 hours' "
            "OR (status IS NULL AND created_at < $3::timestamptz - interval '5 minutes'))",
            account_id,
            key,
            now,
        )
        inserted = await self._pool.fetchval(
            "INSERT INTO idempotency_keys (account_id, key, request_sha256, created_at) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            account_id,
            key,
            request_sha256,
            now,
        )
        if inserted is not None:
            return Claim("new")
        row = await self._pool.fetchrow(
            "SELECT request_sha256, status, response FROM idempotency_keys WHERE account_id = $1 AND key = $2",
            account_id,
            key,
        )
        if row is None:  # released in between: claim it again
            return await self.claim_key(account_id, key, request_sha256, now)
        if row["request_sha256"] != request_sha256:
            return Claim("mismatch")
        if row["status"] is None:
            return Claim("running")
        return Claim("done", row["status"], json.loads(row["response"]))

    async def finish_key(self, account_id: str, key: str, status: int, response: Any) -> None:
        await self._pool.execute(
            "UPDATE idempotency_keys SET status = $3, response = $4::jsonb WHERE account_id = $1 AND key = $2",
            account_id,
            key,
            status,
            json.dumps(response, ensure_ascii=False),
        )

    async def release_key(self, account_id: str, key: str) -> None:
        await self._pool.execute(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status IS NULL", account_id, key
        )
