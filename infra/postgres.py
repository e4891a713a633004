"""phancong's PostgreSQL connection pool.

A deliberately small pool over asyncpg connections. asyncpg's own pool spends about 36 µs per
acquire/release (a shielded task, three event-loop turns and, by default, a reset query): with one event per
transaction that was a fifth of the event store's throughput with 8 writers (bench/store.py). Here a lease
is a list pop and push. A connection is never reused after a cancellation or with a transaction left open:
it is closed and replaced on demand.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any

import asyncpg

SERVER_SETTINGS = {"application_name": "phancong", "timezone": "UTC"}


class PoolClosedError(RuntimeError):
    pass


class Pool:
    """At most ``max_size`` connections to ``url``; leases are LIFO (warm connections first) and fair."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        if not 0 <= min_size <= max_size or max_size < 1:
            raise ValueError("need 0 <= min_size <= max_size and max_size >= 1")
        self.url = url
        self.min_size = min_size
        self.max_size = max_size
        self._idle: list[asyncpg.Connection] = []
        self._waiters: deque[asyncio.Future[asyncpg.Connection]] = deque()
        self._size = 0  # open or opening
        self._closed = False

    async def start(self) -> Pool:
        await asyncio.gather(*(self._open_idle() for _ in range(self.min_size)))
        return self

    async def _open_idle(self) -> None:
        self._size += 1
        try:
            self._idle.append(await self._connect())
        except BaseException:
            self._size -= 1
            raise

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, server_settings=SERVER_SETTINGS)

    def acquire(self) -> Lease:
        """``async with pool.acquire() as conn:`` a connection of one's own until the block ends."""
        return Lease(self)

    async def _take(self) -> asyncpg.Connection:
        if self._closed:
            raise PoolClosedError("the pool is closed")
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._size -= 1
        if self._size < self.max_size:
            self._size += 1
            try:
                return await self._connect()
            except BaseException:
                self._size -= 1
                self._wake_for_capacity()
                raise
        waiter: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give_back(waiter.result())  # handed over just as we were cancelled
            else:
                self._waiters.remove(waiter)
            raise

    def _give_back(self, conn: asyncpg.Connection) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if self._closed:
            self._size -= 1
            conn.terminate()
        else:
            self._idle.append(conn)

    def _discard(self, conn: asyncpg.Connection) -> None:
        self._size -= 1
        if not conn.is_closed():
            conn.terminate()
        self._wake_for_capacity()

    def _wake_for_capacity(self) -> None:
        # A slot freed up: let the first waiter open a connection of its own.
        while self._waiters and not self._closed:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._size += 1
                asyncio.get_running_loop().create_task(self._open_for(waiter))
                return

    async def _open_for(self, waiter: asyncio.Future[asyncpg.Connection]) -> None:
        try:
            conn = await self._connect()
        except Exception as exc:
            self._size -= 1
            if not waiter.done():
                waiter.set_exception(exc)
            return
        if waiter.done():
            self._give_back(conn)
        else:
            waiter.set_result(conn)

    def _release(self, conn: asyncpg.Connection, failure: BaseException | None) -> None:
        # After a cancellation the server may still be running the query; an open transaction means the
        # borrower left state behind. Neither connection is handed to someone else.
        interrupted = isinstance(failure, asyncio.CancelledError | TimeoutError)
        if conn.is_closed() or interrupted or conn.is_in_transaction():
            self._discard(conn)
        else:
            self._give_back(conn)

    async def close(self) -> None:
        """Close idle connections now and leased ones as they come back; waiters get PoolClosedError."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosedError("the pool is closed"))
        idle, self._idle = self._idle, []
        self._size -= len(idle)
        await asyncio.gather(*(c.close() for c in idle), return_exceptions=True)

    # The one-statement conveniences of asyncpg's pool, for callers that need no transaction.

    async def execute(self, query: str, *args: Any) -> str:
        async with self.acquire() as conn:
            return await conn.execute(query, *args)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self.acquire() as conn:
            return await conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self.acquire() as conn:
            return await conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self.acquire() as conn:
            return await conn.fetchval(query, *args)


class Lease:
    __slots__ = ("_conn", "_pool")

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> asyncpg.Connection:
        self._conn = await self._pool._take()
        return self._conn

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool._release(conn, exc)


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    """A started pool on ``url`` whose sessions speak UTC and name themselves in pg_stat_activity."""
    return await Pool(url, min_size=min_size, max_size=max_size).start()
