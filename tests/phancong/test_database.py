"""phancong's connection pool against a real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from infra.postgres import Pool, PoolClosedError, create_pool


async def backend_pid(pool: Pool) -> int:
    pid: int = await pool.fetchval("SELECT pg_backend_pid()")
    return pid


async def test_a_released_connection_is_lent_again(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=3)
    try:
        assert await backend_pid(pool) == await backend_pid(pool)
        assert await pool.fetchval("SHOW timezone") == "UTC"
    finally:
        await pool.close()


async def test_no_more_than_max_size_connections_and_waiters_are_served_in_turn(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=0, max_size=2)
    try:
        order: list[int] = []

        async def hold(n: int) -> None:
            async with pool.acquire() as conn:
                order.append(n)
                await conn.execute("SELECT pg_sleep(0.05)")

        await asyncio.gather(*(hold(n) for n in range(6)))
        in_use = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'phancong' AND datname = current_database()"
        )
        assert sorted(order) == list(range(6))
        assert in_use <= 2
    finally:
        await pool.close()


async def test_a_cancelled_waiter_does_not_take_a_connection_with_it(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire():
            waiting = asyncio.create_task(backend_pid(pool))
            await asyncio.sleep(0.01)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        assert await asyncio.wait_for(backend_pid(pool), timeout=2) > 0
    finally:
        await pool.close()


async def test_a_connection_interrupted_mid_query_is_replaced_not_reused(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        before = await backend_pid(pool)
        slow = asyncio.create_task(pool.execute("SELECT pg_sleep(5)"))
        await asyncio.sleep(0.1)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await asyncio.wait_for(backend_pid(pool), timeout=2) != before
    finally:
        await pool.close()


async def test_a_connection_left_in_a_transaction_is_replaced(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            before = await conn.fetchval("SELECT pg_backend_pid()")
            await conn.execute("BEGIN")
        assert await backend_pid(pool) != before
    finally:
        await pool.close()


async def test_a_connection_the_server_closed_is_replaced(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        victim = await backend_pid(pool)
        other = await create_pool(database_url, min_size=1, max_size=1)
        await other.execute("SELECT pg_terminate_backend($1)", victim)
        await other.close()
        await asyncio.sleep(0.1)  # the driver notices the closed socket
        assert await backend_pid(pool) != victim
    finally:
        await pool.close()


async def test_a_closed_pool_refuses_and_fails_its_waiters(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    async with pool.acquire():
        waiting = asyncio.create_task(backend_pid(pool))
        await asyncio.sleep(0.01)
        await pool.close()
        with pytest.raises(PoolClosedError):
            await waiting
    with pytest.raises(PoolClosedError):
        await backend_pid(pool)
