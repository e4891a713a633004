"""`phancong projections rebuild`: replay the whole log into fresh tables, then swap them in at once.

The fresh tables live in a schema of their own (``phancong_rebuild``), made ``LIKE`` the live ones (columns,
constraints, indexes). The projector fills them with the search path pointing there first, while the live
projector goes on keeping the live tables. The swap is one transaction: it holds the live checkpoint (so no
batch is applied meanwhile), applies what was appended since, drops the live tables, moves the fresh ones in
(their indexes renamed to the live names) and sets the checkpoint to where the rebuild stopped. Readers see
the old tables until the commit, the new ones after it. Projections never write events.

It needs the rights of the tables' owner (as migrations do): in production, run it with the owner's URL.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import asyncpg
import structlog

from events import EventStore
from infra.postgres import Pool
from projections.catalog import all_projections, read_model_tables
from projections.runner import Projector

SCHEMA = "phancong_rebuild"
NAME = "main"
_LOCK_KEY = 0x70687262  # "phrb": one rebuild at a time

log = structlog.stdlib.get_logger("phancong.projections")


@dataclass(frozen=True)
class RebuildResult:
    events: int
    seconds: float
    position: int
    tables: tuple[str, ...]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _shape(definition: str) -> str:
    """An index definition without its own name and table's schema: what it indexes, and how."""
    return re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON (\S+\.)?(\S+) ", r"\1\3 ", definition)


async def _indexes(conn: asyncpg.Connection, schema: str, table: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE n.nspname = $1 AND t.relname = $2",
        schema,
        table,
    )
    return {_shape(r["def"]): r["name"] for r in rows}


async def _grants(conn: asyncpg.Connection, relation: str) -> list[str]:
    """GRANT statements giving a fresh ``relation`` the privileges the live one has (the application's role keeps
    what it had: CREATE TABLE ... LIKE copies no privileges)."""
    rows = await conn.fetch(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, "
        "string_agg(a.privilege_type, ', ') AS privileges "
        "FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = $1::regclass AND a.grantee <> c.relowner GROUP BY 1",
        f"public.{relation}",
    )
    return [f"GRANT {r['privileges']} ON public.{relation} TO {r['grantee']}" for r in rows]


async def _dependent_views(conn: asyncpg.Connection, tables: list[str]) -> list[tuple[str, str, list[str]]]:
    """(name, definition, grants) of the views over the read-model tables: dropped with them, made again."""
    rows = await conn.fetch(
        "SELECT DISTINCT v.relname AS name, pg_get_viewdef(v.oid) AS definition FROM pg_depend d "
        "JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class "
        "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = 'public' AND t.relname = ANY($1::text[]) AND v.oid <> t.oid ORDER BY 1",
        tables,
    )
    return [(r["name"], r["definition"], await _grants(conn, r["name"])) for r in rows]


async def rebuild(pool: Pool, store: EventStore, batch: int = 5000) -> RebuildResult:
    started = time.perf_counter()
    tables = read_model_tables()
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
            raise RebuildRunningError("another rebuild is running")
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            await conn.execute(f"CREATE SCHEMA {SCHEMA}")
            for table in tables:
                await conn.execute(f"CREATE TABLE {SCHEMA}.{table} (LIKE public.{table} INCLUDING ALL)")
            projector = Projector(pool, store, all_projections(), name=NAME, schema=SCHEMA)
            replayed = 0
            while applied := await projector.step(batch):
                replayed += max(applied, 0)
            async with conn.transaction():
                live = await conn.fetchval(
                    "SELECT position FROM public.projection_checkpoints WHERE name = $1 FOR UPDATE", NAME
                )
                await conn.execute(f"SET LOCAL search_path TO {SCHEMA}, public")
                position = await projector.position()
                while events := await store.read_all(position, batch):  # appended since: applied under the lock
                    await projector.apply(conn, events)
                    replayed += len(events)
                    position = events[-1].global_position
                await conn.execute("SET LOCAL search_path TO public")
                views = await _dependent_views(conn, tables)
                for name, _, _ in views:
                    await conn.execute(f"DROP VIEW public.{name}")
                for table in tables:
                    names = await _indexes(conn, "public", table)
                    grants = await _grants(conn, table)
                    await conn.execute(f"DROP TABLE public.{table}")
                    await conn.execute(f"ALTER TABLE {SCHEMA}.{table} SET SCHEMA public")
                    for shape, name in (await _indexes(conn, "public", table)).items():
                        wanted = names.get(shape)
                        if wanted is not None and wanted != name:
                            await conn.execute(f'ALTER INDEX public."{name}" RENAME TO "{wanted}"')
                    for grant in grants:
                        await conn.execute(grant)
                for name, definition, grants in views:
                    await conn.execute(f"CREATE VIEW public.{name} AS {definition}")
                    for grant in grants:
                        await conn.execute(grant)
                await conn.execute(f"DROP SCHEMA {SCHEMA}")
            log.info("projections rebuilt", events=replayed, position=position, previous_position=live)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return RebuildResult(replayed, time.perf_counter() - started, position, tuple(tables))


class RebuildRunningError(RuntimeError):
    pass
