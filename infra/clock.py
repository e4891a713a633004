"""What time it is for phancong's commands: the system clock, or an instant the settings fix.

Workflows take their time from their Temporal server (``workflow.now()``); the commands that read "today"
(tasks, reports, dates such as ``--date today``) take it from here. ``PHANCONG_NOW`` fixes it, for a
demonstration or a test whose Temporal server runs on a simulated clock; unset, it is the system clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from domain.calendar import local_date


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    instant: datetime

    def now(self) -> datetime:
        return self.instant


def clock_at(instant: datetime | None) -> Clock:
    """The clock of the settings: fixed at ``instant`` when given, the system's otherwise."""
    return SystemClock() if instant is None else FixedClock(instant.astimezone(UTC))


def today(clock: Clock) -> date:
    """Today's date in Viet Nam, by ``clock``."""
    return local_date(clock.now())
