"""How the long-lived workflows write to the event store: the ``append_events`` activity and its policies.

Every event carries an id derived from its stream and version, so a retried activity or a replayed
workflow never loses or doubles one. The database is retried until it answers; a refusal (the stream is not
at the version the workflow expects, or an event id is taken) is not retried.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.event import DomainEvent
    from domain.notices import Notice
    from events.envelope import NewEvent
    from workflows.calls import NoticeCalls, ReminderInput, StoreCalls, append_input


# Appends and outbox writes are retried until the database answers; a conflict is not retried (see below).
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["concurrency_conflict", "event_id_conflict"],
)
ACTIVITY_TIMEOUT = timedelta(seconds=30)


class StreamConflictError(RuntimeError):
    """The stream holds something this workflow did not write: fail the task, never the workflow.

    The run stays alive and retries its task, visible to operators, until the cause is understood.
    """


# The type of the append_events failure for values the database refuses (activities.events.REFUSED).
REFUSED = "invalid_input"


async def append(stream: str, version: int, events: list[NewEvent[DomainEvent]], *, by_person: bool) -> None:
    """Append ``events`` to ``stream`` after ``version``; a refused append raises :class:`StreamConflictError`.

    Values the database refuses (which the boundary should have refused first) fail what a person asked for
    (``by_person``: an Update, an issue) with ``invalid_input``, so that they hear it and nothing is recorded;
    phancong's own steps fail the task instead, to be seen and fixed by an operator.
    """
    try:
        await workflow.execute_activity_method(
            StoreCalls.append_events,
            append_input(stream, version, events),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY,
        )
    except ActivityError as exc:
        cause = exc.cause
        if by_person and isinstance(cause, ApplicationError) and cause.type == REFUSED:
            raise ApplicationError(f"not recorded: {cause.message}", type=REFUSED, non_retryable=True) from None
        raise StreamConflictError(f"cannot append to {stream} at version {version}: {exc.cause}") from exc


async def queue_notice(stream: str, notice: Notice, *, directive_id: str | None, assignment_id: str | None) -> None:
    """Put a notice in the outbox (once: its id derives from the stream, its key and its recipient)."""
    await workflow.execute_activity_method(
        NoticeCalls.send_reminder,
        ReminderInput(
            notification_id=ids.notification_id(stream, notice.key, str(notice.recipient)),
            stream_id=stream,
            directive_id=directive_id,
            assignment_id=assignment_id,
            notice=notice,
            queued_at=workflow.now(),
        ),
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        retry_policy=STORE_RETRY,
    )
