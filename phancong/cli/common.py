"""What every command shares: settings, refusals as one line with a stable code, JSON output, async."""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import asyncpg
import typer
from pydantic import BaseModel

from phancong.database import Pool, create_pool
from phancong.errors import PhancongError
from phancong.settings import Settings
from phancong.stack import Stack

P = ParamSpec("P")
T = TypeVar("T")

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


class DatabaseUnreachableError(PhancongError):
    code = "database_unreachable"


@dataclass
class CliState:
    settings: Settings
    stack: Stack


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def refuse(error: PhancongError, *, as_json: bool) -> None:
    """Report a refused command: one line (or a JSON object) with its stable code."""
    if as_json:
        emit_json({"error": {"code": error.code, "message": error.message}})
    else:
        typer.echo(f"error[{error.code}]: {error.message}", err=True)


def handles_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Turn a PhancongError raised by a command into one line and exit status 1 (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except PhancongError as error:
            refuse(error, as_json=bool(kwargs.get("as_json", False)))
            raise typer.Exit(1) from None

    return wrapper


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def note(message: str) -> None:
    """A remark for the person at the terminal (stderr, so JSON on stdout stays clean)."""
    print(message, file=sys.stderr)


@asynccontextmanager
async def database(cli: CliState, *, start: bool = True) -> AsyncIterator[Pool]:
    """A pool on the database in use, starting the embedded server if nothing else is configured."""
    url, started = cli.stack.database_url(start=start)
    if started:
        note("started the embedded PostgreSQL (`phancong down` stops it)")
    try:
        pool = await create_pool(url, min_size=1, max_size=cli.settings.db_pool_max_size)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseUnreachableError(f"cannot connect to the database: {exc}") from exc
    try:
        yield pool
    finally:
        await pool.close()
