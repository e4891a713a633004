"""The instant the suite runs as if it started at: ``PHANCONG_TEST_START``, or the real now when unset.

    PHANCONG_TEST_START=2028-02-29T09:00+07:00 make test

Every test on the time-skipping server (the ``env`` fixture) starts its clock at that instant; the CLI in
those tests takes the server's time as its own (``PHANCONG_NOW``). The server's clock only moves forward, so
the instant cannot lie in the past. Tests on the dev server and the pure unit tests run on the real clock and
assert only what holds on every day.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from temporalio.testing import WorkflowEnvironment

from phancong.embedded import advance_clock

VARIABLE = "PHANCONG_TEST_START"


class ChosenStartError(ValueError):
    pass


def chosen_start() -> datetime | None:
    """The instant of PHANCONG_TEST_START (None when unset); refused when malformed or past."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ChosenStartError(f"{VARIABLE}={text!r}: not an ISO 8601 time (e.g. 2028-02-29T09:00+07:00)") from None
    if instant.tzinfo is None:
        raise ChosenStartError(f"{VARIABLE}={text!r}: give its offset (e.g. +07:00 for Viet Nam)")
    if instant < datetime.now(UTC):
        raise ChosenStartError(f"{VARIABLE}={text!r}: in the past (the time-skipping server only moves forward)")
    return instant


async def start_clock(env: WorkflowEnvironment) -> None:
    """Move a fresh time-skipping server's clock to the chosen instant, if one was chosen."""
    instant = chosen_start()
    if instant is not None:
        await advance_clock(env, instant)
