"""Versioned SQL migrations (``sql/NNNN_name.sql``), applied in order and recorded in ``schema_migrations``.

Applied migrations are immutable: their checksum is recorded and a changed file is an error. A database
whose schema is newer than this code knows is refused, so an old worker never writes to a new schema.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import asyncpg

from domain.errors import PhancongError

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Serializes concurrent `db migrate` runs (two workers starting together).
_LOCK_KEY = 0x70686D6967  # "phmig"


class SchemaError(PhancongError):
    code = "schema_error"


class SchemaOutdatedError(SchemaError):
    code = "schema_outdated"


class SchemaTooNewError(SchemaError):
    code = "schema_too_new"


class MigrationChangedError(SchemaError):
    code = "migration_changed"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SchemaStatus:
    current: int
    latest: int
    pending: tuple[Migration, ...]


@cache
def available() -> tuple[Migration, ...]:
    """Every migration this code ships, in version order."""
    found = []
    for entry in resources.files("migrations").joinpath("sql").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise SchemaError(f"migration files are not numbered 1..n without gaps: {versions}")
    return tuple(found)


def latest_version() -> int:
    return available()[-1].version


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def _applied(conn: asyncpg.Connection) -> dict[int, str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    return {row["version"]: row["checksum"] for row in rows}


def _compare(applied: dict[int, str]) -> SchemaStatus:
    known = {m.version: m for m in available()}
    latest = latest_version()
    newer = [v for v in applied if v not in known]
    if newer:
        raise SchemaTooNewError(
            f"the database schema is at version {max(applied)}, newer than this phancong knows ({latest}); "
            "upgrade phancong before running it against this database"
        )
    for version, checksum in applied.items():
        if known[version].checksum != checksum:
            raise MigrationChangedError(
                f"migration {version:04d}_{known[version].name}.sql was changed after it was applied"
            )
    pending = tuple(m for m in available() if m.version not in applied)
    return SchemaStatus(current=max(applied, default=0), latest=latest, pending=pending)


async def status(conn: asyncpg.Connection) -> SchemaStatus:
    """Where the database's schema stands against this code's migrations."""
    return _compare(await _applied(conn))


async def ensure_current(conn: asyncpg.Connection) -> None:
    """Refuse to run against a schema that is behind (not migrated) or ahead (newer code) of this one."""
    state = await status(conn)
    if state.pending:
        raise SchemaOutdatedError(
            f"the database schema is at version {state.current} of {state.latest}: run `phancong db migrate`"
        )


async def migrate(conn: asyncpg.Connection) -> list[Migration]:
    """Apply every pending migration in order, each in its own transaction; returns those applied."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        state = await status(conn)
        for migration in state.pending:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
        return list(state.pending)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
