"""What every command shares: settings, refusals as one line with a stable code, JSON output, async."""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ParamSpec, TypeVar

import asyncpg
import typer
from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

import migrations
from app.services import Services
from domain.actors import Actor
from domain.bounds import OutOfBoundsError, business_date, entry_id
from domain.errors import DateOutOfRangeError, PhancongError, invalid_input
from events import EventStore
from events.catalog import REGISTRY
from gateway import Connection
from infra.clock import Clock
from infra.clock import today as today_of
from infra.files import FileLimits
from infra.postgres import Pool, create_pool
from phancong.composition import postgres_services
from phancong.settings import Settings
from phancong.stack import Stack

P = ParamSpec("P")
T = TypeVar("T")

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


class DatabaseUnreachableError(PhancongError):
    code = "database_unreachable"


class TemporalUnreachableError(PhancongError):
    code = "temporal_unreachable"


class InvalidActorError(PhancongError):
    code = "invalid_actor"


class InvalidArgumentError(PhancongError):
    code = "invalid_input"


ActorOption = typer.Option(
    None, "--as", envvar="PHANCONG_ACTOR", help="Who acts: ROLE[:ID], e.g. post:DBP-HAM-LUONG, commune:XA-1, hq."
)


def actor_of(value: str | None) -> Actor:
    """The actor named by ``--as`` (or PHANCONG_ACTOR); what it may do is the application layer's to say."""
    if not value:
        raise InvalidActorError("say who acts: --as ROLE[:ID] (or set PHANCONG_ACTOR)")
    try:
        actor = Actor.parse(value)
        if actor.id is not None:
            entry_id(actor.id, "its id")
    except ValidationError as exc:
        raise InvalidActorError(f"--as {value!r}: {invalid_input(exc).message}") from None
    except ValueError as exc:
        raise InvalidActorError(f"--as {value!r}: {exc}") from None
    return actor


# Words a date option takes besides YYYY-MM-DD, as days from today (Viet Nam).
DATE_WORDS = {"today": 0, "yesterday": -1}


def parse_date(value: str, option: str, today: date) -> date:
    """``YYYY-MM-DD``, ``today`` or ``yesterday`` (``today`` being the clock's date in Viet Nam)."""
    shift = DATE_WORDS.get(value.strip().lower())
    try:
        day = today + timedelta(days=shift) if shift is not None else date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidArgumentError(f"{option} {value!r}: not a date (YYYY-MM-DD, today or yesterday)") from None
    try:
        return business_date(day, option)
    except OutOfBoundsError as refused:
        raise DateOutOfRangeError(str(refused)) from None


@dataclass
class CliState:
    settings: Settings
    stack: Stack
    clock: Clock

    @property
    def today(self) -> date:
        return today_of(self.clock)

    @property
    def file_limits(self) -> FileLimits:
        return FileLimits(max_bytes=self.settings.max_file_bytes)


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
    """Turn a PhancongError raised by a command, or an input out of bounds, into one line and exit status 1
    (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            try:
                return fn(*args, **kwargs)
            except RPCError as failure:
                raise TemporalUnreachableError(f"Temporal refused the call: {failure.message}") from None
            except ValidationError as refused:
                raise invalid_input(refused) from None
            except OutOfBoundsError as refused:
                raise InvalidArgumentError(str(refused)) from None
        except PhancongError as error:
            refuse(error, as_json=bool(kwargs.get("as_json", False)))
            # Drop the frames the error holds (a Temporal client among them): released now, not while the
            # interpreter shuts down, when the SDK's runtime can no longer call into Python.
            error.__traceback__ = None
            raise typer.Exit(1) from None

    return wrapper


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def note(message: str) -> None:
    """A remark for the person at the terminal (stderr, so JSON on stdout stays clean)."""
    print(message, file=sys.stderr)


@asynccontextmanager
async def database(cli: CliState, *, start: bool = True, schema: bool = True) -> AsyncIterator[Pool]:
    """A pool on the database in use, starting the embedded server if nothing else is configured.

    With ``schema``, the schema must be this code's: the embedded database (phancong's own) is migrated on the
    spot; a configured one that is behind is refused with `schema_outdated` (its owner runs `db migrate`).
    """
    url, started = cli.stack.database_url(start=start)
    if started:
        note("started the embedded PostgreSQL (`phancong down` stops it)")
    try:
        pool = await create_pool(url, min_size=1, max_size=cli.settings.db_pool_max_size)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseUnreachableError(f"cannot connect to the database: {exc}") from exc
    try:
        if schema:
            async with pool.acquire() as conn:
                if cli.settings.database_url:
                    await migrations.ensure_current(conn)
                elif (await migrations.status(conn)).pending:
                    for m in await migrations.migrate(conn):
                        note(f"applied migration {m.version:04d}_{m.name} to the embedded database")
        yield pool
    finally:
        await pool.close()


async def temporal_client(cli: CliState) -> Client:
    """A client on the Temporal server in use (starting the embedded one if nothing else is configured)."""
    import worker  # noqa: PLC0415 - the worker module is the composition root; load it only when needed

    address, started = cli.stack.temporal_address(start=True)
    if started:
        note("started the embedded Temporal server (`phancong down` stops it)")
    try:
        settings = cli.settings
        return await worker.connect_temporal(
            address, settings.temporal_namespace, settings.data_converter(), settings.temporal_tls()
        )
    except RuntimeError as exc:
        raise TemporalUnreachableError(f"cannot connect to Temporal at {address}: {exc}") from exc


@asynccontextmanager
async def temporal(cli: CliState) -> AsyncIterator[Client]:
    yield await temporal_client(cli)


@asynccontextmanager
async def services(cli: CliState) -> AsyncIterator[Services]:
    """The CLI's composition root: the application's ports on the database in use and, when a command needs it,
    on Temporal (connected at first use: a read never starts the Temporal server)."""
    async with database(cli) as pool:
        store = await EventStore.open(pool, REGISTRY)
        yield postgres_services(
            pool, store, Connection(lambda: temporal_client(cli)), settings=cli.settings, clock=cli.clock
        )
