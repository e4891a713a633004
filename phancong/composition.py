"""The application's ports on PostgreSQL (and Temporal, when a connection is given): what every interface's
composition root (the CLI, the API, benchmarks, tests) builds once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import UUID

from temporalio.client import Client

from accounts.hashing import Argon2Hasher
from accounts.postgres import PostgresCredentials
from accounts.totp import Totp
from activities.delivery import Deliveries
from app.directory import ImportResult, apply_directory
from app.ports import Clock
from app.services import Services
from directory.importer import load_directory
from directory.key_store import PostgresKeyStore
from directory.repository import DirectoryRepository
from directory.sealing import Vault
from domain.actors import Actor
from events.audit import PostgresAudit
from events.store import EventStore
from gateway import Connection, TemporalAssignments, TemporalDirectives
from infra.clock import SystemClock
from infra.files import DEFAULT_LIMITS, FileLimits
from infra.postgres import Pool
from notifications.admin import PostgresOutbox
from phancong.settings import Settings
from projections.queries import PostgresReadModels
from projections.report_figures import PostgresReports


def deliveries_of(client: Client, settings: Settings) -> Deliveries:
    """Starting deliveries with the configured attempts, backoff and timeout."""
    return Deliveries(
        client, settings.delivery_max_attempts, settings.delivery_backoff_seconds, settings.delivery_timeout_seconds
    )


def postgres_services(
    pool: Pool,
    store: EventStore,
    connection: Connection,
    *,
    settings: Settings,
    clock: Clock | None = None,
) -> Services:
    """Every port on ``pool``; commands reach Temporal through ``connection`` (connected when first used)."""

    async def redeliver(notification_id: UUID, actor: Actor) -> None:
        deliveries = deliveries_of(await connection.client(), settings)
        await deliveries.start(notification_id, settings.task_queue, retried_by=actor)

    vault = vault_for(pool, settings)
    return Services(
        log=store,
        directory=DirectoryRepository(pool, vault),
        read=PostgresReadModels(pool, store),
        assignments=TemporalAssignments(connection),
        directives=TemporalDirectives(connection, store, settings.task_queue),
        clock=clock or SystemClock(),
        reports=PostgresReports(pool, store),
        outbox=PostgresOutbox(pool, redeliver),
        audit=PostgresAudit(pool, store),
        credentials=PostgresCredentials(pool),
        hasher=hasher_of(settings),
        codes=Totp(),
        vault=vault,
    )


def vault_for(pool: Pool, settings: Settings) -> Vault:
    """Households' data keys on ``pool``, wrapped by the deployment's master keys."""
    return Vault(PostgresKeyStore(pool), settings.master_keys())


def hasher_of(settings: Settings) -> Argon2Hasher:
    return Argon2Hasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


async def import_directory(
    pool: Pool,
    store: EventStore,
    path: Path,
    actor: Actor,
    now: datetime,
    *,
    limits: FileLimits = DEFAULT_LIMITS,
    settings: Settings | None = None,
) -> ImportResult:
    """Apply the differences between ``path`` and the stored directory on PostgreSQL (tools and tests)."""
    directory, digest = load_directory(path, limits)
    read = PostgresReadModels(pool, store)
    vault = vault_for(pool, settings or Settings())
    return await apply_directory(store, read, directory, digest, path.name, vault=vault, actor=actor, now=now)
