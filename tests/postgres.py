"""A real PostgreSQL for the tests: the embedded one (default) or PHANCONG_TEST_DATABASE_URL's server.

Every test that needs an empty database gets its own, cloned from a migrated template in milliseconds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

import migrations
from phancong.embedded import pgserver


def with_database(url: str, name: str) -> str:
    """The same server's URL for another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """An admin URL of a server where tests may create and drop databases."""
    configured = os.environ.get("PHANCONG_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = pgserver().get_server(workdir, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


class Databases:
    """Creates migrated databases on one server, and drops them when the session ends."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.template = f"phancong_tpl_{uuid.uuid4().hex[:10]}"
        self._created: list[str] = []

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.admin_url)

    async def prepare_template(self) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{self.template}"')
        finally:
            await conn.close()
        self._created.append(self.template)
        conn = await asyncpg.connect(with_database(self.admin_url, self.template))
        try:
            await migrations.migrate(conn)
        finally:
            await conn.close()

    async def create(self, *, migrated: bool = True) -> str:
        name = f"phancong_t_{uuid.uuid4().hex[:12]}"
        conn = await self._admin()
        try:
            template = f' TEMPLATE "{self.template}"' if migrated else ""
            await conn.execute(f'CREATE DATABASE "{name}"{template}')
        finally:
            await conn.close()
        self._created.append(name)
        return with_database(self.admin_url, name)

    async def drop_all(self) -> None:
        conn = await self._admin()
        try:
            for name in reversed(self._created):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
