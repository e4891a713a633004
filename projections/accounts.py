"""accounts: every account as it stands (the fold of its stream ``account-*``), for lists and the web app.

Signing in and authorizing a request never read this table: they fold the account's own stream, so that a
disabled account or a revoked scope stops at once, not when the projector catches up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from domain import accounts
from domain.accounts import AccountState
from events import RecordedEvent

PREFIX = "account-"


class AccountProjection:
    name = "accounts"
    tables: tuple[str, ...] = ("accounts",)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        mine = [e for e in events if e.stream_id.startswith(PREFIX)]
        if not mine:
            return
        ids = sorted({e.stream_id.removeprefix(PREFIX) for e in mine})
        rows = await conn.fetch("SELECT account_id, state FROM accounts WHERE account_id = ANY($1::text[])", ids)
        states: dict[str, AccountState | None] = {r["account_id"]: accounts.load(json.loads(r["state"])) for r in rows}
        touched: dict[str, RecordedEvent] = {}
        for event in mine:
            key = event.stream_id.removeprefix(PREFIX)
            states[key] = accounts.apply(states.get(key), event.payload, event.recorded_at)
            touched[key] = event
        await conn.executemany(
            "INSERT INTO accounts (account_id, name, status, scopes, state, updated_at) "
            "VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (account_id) DO UPDATE SET name = EXCLUDED.name, "
            "status = EXCLUDED.status, scopes = EXCLUDED.scopes, state = EXCLUDED.state, "
            "updated_at = EXCLUDED.updated_at",
            [
                (
                    key,
                    state.name,
                    state.status.value,
                    [str(s) for s in state.scopes],
                    json.dumps(accounts.dump(state), ensure_ascii=False),
                    event.recorded_at,
                )
                for key, event in touched.items()
                if (state := states[key]) is not None
            ],
        )
