"""Waking a workflow at its next due instant, or sooner when a command changes its state, without cancelling timers.

Both long-lived workflows sleep the same way: until the next scheduled action is due or a handler changes the
state. ``workflow.wait_condition(..., timeout=...)`` does that by starting a timer and cancelling it when the
condition wins. A cancel can race the timer's own firing: the timer goes off while the workflow task that
cancels it is still with the worker. A Temporal cluster settles that race; Temporal's time-skipping test
server (which ``phancong simulate`` and the suite run on) refuses the cancel and strands the workflow task,
and with it the server's clock, for good (temporalio/sdk-java#2606, #3088; tests/workflows/test_alarm.py
stages it). A simulation of hundreds of assignments makes the race likely: their reminders fall due at the
same hour as the directive's own timer, while the assignments signal it and commands arrive.

An :class:`Alarm` therefore never cancels: it keeps the timer of the instant it was set for, reuses it
while that instant stays the next one, and leaves a superseded timer to fire unheeded (one ``TimerFired``
in the history, no work). New runs take this path; runs recorded before it replay the old one
(:data:`PATCH`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow

PATCH = "alarm-without-cancel"
# The shortest sleep: an action due now or in the past is performed by the caller, never waited for.
MIN_SLEEP = timedelta(seconds=1)


class Alarm:
    def __init__(self) -> None:
        self._at: datetime | None = None
        self._timer: asyncio.Task[None] | None = None

    async def wait(self, woken: Callable[[], bool], at: datetime | None) -> None:
        """Return once ``woken()`` holds or the instant ``at`` (if any) has come."""
        if at is None:
            await workflow.wait_condition(woken)
            return
        if not workflow.patched(PATCH):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(woken, timeout=max(at - workflow.now(), MIN_SLEEP))
            return
        if self._timer is None or self._timer.done() or self._at != at:
            self._at = at
            self._timer = asyncio.ensure_future(workflow.sleep(max(at - workflow.now(), MIN_SLEEP)))
        timer = self._timer
        await workflow.wait_condition(lambda: woken() or timer.done())
