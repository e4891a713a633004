"""The phancong worker: the composition root of every workflow and activity.

settings → logging → pool → store → activities → Temporal ``Worker``, and beside it the projector that
keeps the read models current. SIGTERM or SIGINT stops it
gracefully: it polls no more, lets running activities finish (up to 30 s; what does not finish is retried
by Temporal elsewhere) and closes its connections. Run it with ``phancong worker`` (or ``phancong run`` on a
development machine, which also starts the embedded servers).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg
import httpx
import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode, TLSConfig
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.delivery import Deliveries, DeliveryActivities
from activities.directives import DirectiveActivities
from activities.events import EventActivities
from activities.notifications import NotificationActivities
from domain import ids
from domain.notices import Notice
from domain.vocabulary import HQ, Subject
from events import EventStore, seals
from events.catalog import REGISTRY
from infra.postgres import Pool, create_pool
from notifications.attempts import Attempts
from notifications.channels import Channel, Channels, EmailChannel, LogChannel, SmtpSettings, WebhookChannel
from notifications.outbox import Outbox, queue
from phancong.composition import deliveries_of
from phancong.converter import DATA_CONVERTER
from phancong.settings import Settings
from projections.catalog import all_projections
from projections.failures import failures, mark_notified
from projections.queries import PostgresReadModels
from projections.runner import Projector
from workflows import search_attributes
from workflows.assignment import AssignmentWorkflow
from workflows.delivery import DeliveryWorkflow, DigestWorkflow, LegacyDeliveryWorkflow
from workflows.delivery_io import DigestInput
from workflows.directive import DirectiveWorkflow

WORKFLOWS: Sequence[type] = (
    AssignmentWorkflow,
    DirectiveWorkflow,
    DeliveryWorkflow,
    LegacyDeliveryWorkflow,
    DigestWorkflow,
)

# Every workflow run executes in Temporal's sandbox, which refuses calls that would break replay (the clock,
# randomness, I/O), but imports no module afresh for each run: phancong's workflow modules hold no state of
# their own, and re-importing them for each of a directive's thousands of runs (every assignment, every
# notification's delivery, every continue-as-new) was a fifth of a 500-assignment simulation's time.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())


def digest_schedule_id(task_queue: str) -> str:
    """One daily-digest Schedule per deployment (its task queue)."""
    return f"phancong-daily-digest:{task_queue}"


GRACEFUL_SHUTDOWN = timedelta(seconds=30)

log = structlog.stdlib.get_logger("phancong.worker")


async def connect_temporal(
    address: str, namespace: str, converter: DataConverter = DATA_CONVERTER, tls: TLSConfig | bool = False
) -> Client:
    """A client speaking pydantic (every workflow, activity and update input is a pydantic model), through the
    deployment's codec (``Settings.data_converter``: compressed when large, encrypted when it has keys)."""
    return await Client.connect(address, namespace=namespace, data_converter=converter, tls=tls)


async def ensure_search_attributes(client: Client) -> None:
    """Register phancong's search attributes on a server that lacks them (a cluster; the dev server has them)."""
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        existing = set(listed.custom_attributes)
    except RPCError as error:
        if error.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        existing = set()  # the time-skipping test server lists nothing; adding is idempotent there
    missing = {
        key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        for key in search_attributes.ALL
        if key.name not in existing
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
        log.info("search attributes registered", names=sorted(missing))


def channels_of(settings: Settings, http: httpx.AsyncClient) -> Channels:
    """The delivery channels, in order of preference: a signed webhook, e-mail (when an SMTP server is set), the
    log for whoever neither reaches."""
    secret = settings.webhook_secret.get_secret_value().encode() if settings.webhook_secret else None
    channels: list[Channel] = [WebhookChannel(http, secret or None)]  # an empty secret: unsigned, not signed with ""
    if settings.smtp_host:
        smtp = SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            sender=settings.smtp_from,
            ca_file=settings.smtp_ca_file,
        )
        channels.append(EmailChannel(smtp))
    channels.append(LogChannel())
    return Channels(channels)


@asynccontextmanager
async def running(
    client: Client, task_queue: str, store: EventStore, pool: Pool, settings: Settings | None = None
) -> AsyncIterator[Worker]:
    """The worker of every workflow and activity, polling ``task_queue`` until the block ends (gracefully)."""
    settings = settings or Settings()
    async with httpx.AsyncClient() as http:
        deliveries = deliveries_of(client, settings)
        events = EventActivities(store)
        notifications = NotificationActivities(pool, deliveries)
        directives = DirectiveActivities(client)
        outbox = Outbox(pool, store, channels_of(settings, http))
        delivery = DeliveryActivities(
            outbox, pool, deliveries, Attempts(outbox, store), PostgresReadModels(pool, store)
        )
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=list(WORKFLOWS),
            workflow_runner=WORKFLOW_RUNNER,
            activities=[
                events.append_events,
                notifications.send_reminder,
                directives.start_assignments,
                directives.end_assignments,
                directives.amend_assignments,
                delivery.attempt_delivery,
                delivery.prepare_delivery,
                delivery.deliver_notification,
                delivery.record_delivery,
                delivery.compose_digests,
            ],
            graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        ) as worker:
            yield worker


async def ensure_digest_schedule(client: Client, settings: Settings) -> None:
    """The daily digest, at ``digest_time`` in Viet Nam (servers without Schedules, like the test server, skip)."""
    hour, minute = (int(part) for part in settings.digest_time.split(":"))
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            DigestWorkflow.run,
            DigestInput(),
            id=f"phancong-digest:{settings.task_queue}",
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(hour)], minute=[ScheduleRange(minute)])],
            time_zone_name="Asia/Ho_Chi_Minh",
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(digest_schedule_id(settings.task_queue), schedule)
        log.info("digest schedule created", at=settings.digest_time)
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(digest_schedule_id(settings.task_queue))
        await handle.update(lambda _: ScheduleUpdate(schedule=schedule))
    except RPCError as error:
        if error.status != RPCStatusCode.UNIMPLEMENTED:
            raise


async def serve(settings: Settings, database_url: str, temporal_address: str, stop: asyncio.Event) -> None:
    """Run the worker until ``stop`` is set, then shut it down gracefully."""
    pool = await create_pool(database_url, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size)
    try:
        store = await EventStore.open(pool, REGISTRY)
        client = await connect_temporal(
            temporal_address, settings.temporal_namespace, settings.data_converter(), settings.temporal_tls()
        )
        await ensure_search_attributes(client)
        await ensure_digest_schedule(client, settings)
        if not (settings.webhook_secret and settings.webhook_secret.get_secret_value()):
            log.warning("webhooks go out unsigned: set PHANCONG_WEBHOOK_SECRET")
        if not settings.smtp_host:
            log.info("no SMTP server (PHANCONG_SMTP_HOST): e-mail contacts get their reminders in this log")
        projector = Projector(pool, store, all_projections())
        log.info("worker started", task_queue=settings.task_queue, temporal=temporal_address)
        async with running(client, settings.task_queue, store, pool, settings):
            projecting = asyncio.create_task(projector.run(stop))
            sealing = asyncio.create_task(seal_every(pool, settings.seal_interval_seconds, stop))
            deliveries = deliveries_of(client, settings)
            telling = asyncio.create_task(tell_every(pool, deliveries, settings.task_queue, 30, stop))
            await stop.wait()
            log.info("worker stopping: finishing running activities")
            await projecting
            await sealing
            await telling
        log.info("worker stopped")
    finally:
        await pool.close()


async def seal_every(pool: Pool, seconds: int, stop: asyncio.Event) -> None:
    """Seal the global log now and then (auditors verify the seals; see events/seals.py)."""
    while not stop.is_set():
        try:
            made = await seals.seal(pool)
            if made is not None:
                log.info("log sealed", seal_no=made.seal_no, events=made.events, hash=made.hash.hex())
        except (asyncpg.PostgresError, OSError) as error:
            log.warning("sealing failed, trying again later", error=str(error))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


async def tell_hq_of_failures(pool: Pool, deliveries: Deliveries, task_queue: str) -> int:
    """Queue a notice to HQ for each event a read model could not apply and HQ was not told of; how many."""
    told = 0
    for failure in await failures(pool, unnotified=True, limit=100):
        notification_id = uuid.uuid5(ids.PHANCONG_NAMESPACE, f"read-model/{failure.projection}/{failure.event_id}")
        notice = Notice(
            key=f"read-model:{failure.projection}:{failure.event_id}",
            recipient=HQ,
            subject=Subject.READ_MODEL,
            reference=f"{failure.event_type} {failure.stream_id}@{failure.version}",
        )
        details = {"projection": failure.projection, "error": failure.error}
        await queue(pool, notification_id, notice, stream_id="projections", details=details)
        await deliveries.start(notification_id, task_queue)
        await mark_notified(pool, failure)
        told += 1
    return told


async def tell_every(pool: Pool, deliveries: Deliveries, task_queue: str, seconds: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            told = await tell_hq_of_failures(pool, deliveries, task_queue)
            if told:
                log.warning("HQ told of events a read model could not apply", events=told)
        except (asyncpg.PostgresError, OSError, RPCError) as error:
            log.warning("telling HQ of read-model failures failed, trying again later", error=str(error))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (call inside the running loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
