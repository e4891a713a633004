"""Dates in Asia/Ho_Chi_Minh: meeting days, review periods, when a reminder goes out."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta, timezone

from pydantic import BaseModel, ConfigDict

from domain.policy import DirectivePolicy
from domain.vocabulary import PeriodKind

# Viet Nam keeps UTC+7 all year (no daylight saving since 1975): a fixed offset is exact, and needs no
# tz database inside the workflow sandbox.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def local_time(day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in Viet Nam, as an aware UTC datetime."""
    return datetime.combine(day, time(hour), tzinfo=VIETNAM).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def meeting_date(year: int, month: int, meeting_day: int) -> date:
    """The cell's meeting in that month: its usual day, or the month's last day if shorter."""
    return date(year, month, min(meeting_day, calendar.monthrange(year, month)[1]))


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def meetings_between(first: date, last: date, meeting_day: int, interval_months: int = 1) -> list[date]:
    """Scheduled meetings on or after ``first`` and on or before ``last``, every ``interval_months``."""
    found: list[date] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        meeting = meeting_date(cursor.year, cursor.month, meeting_day)
        if first <= meeting <= last:
            found.append(meeting)
        cursor = add_months(cursor, interval_months)
    return found


class Period(BaseModel):
    """A review period: calendar-aligned (quarters, halves, years), or a follow-up after a correction."""

    model_config = ConfigDict(frozen=True)

    label: str
    kind: PeriodKind
    starts_on: date
    ends_on: date


def period_of(end_month_start: date, policy: DirectivePolicy) -> Period:
    """The review held at the end of the month of ``end_month_start`` (a month that closes a review period).

    Each such month has one review, of its largest kind: the year closes a tổng kết covering the year, the
    half-year a sơ kết covering six months, other period ends a quarterly review covering the quarter.
    """
    year, end_month = end_month_start.year, end_month_start.month
    ends_on = date(year, end_month, calendar.monthrange(year, end_month)[1])
    if end_month % policy.annual_review_months == 0:
        kind, months, label = PeriodKind.ANNUAL, policy.annual_review_months, f"{year}"
    elif end_month % policy.interim_review_months == 0:
        months = policy.interim_review_months
        kind, label = PeriodKind.INTERIM, f"{year}-H{end_month // months}"
    else:
        months = policy.review_period_months
        kind, label = PeriodKind.QUARTERLY, f"{year}-{'Q' if months == 3 else 'P'}{end_month // months}"
    starts_on = add_months(date(year, end_month, 1), -(months - 1))
    return Period(label=label, kind=kind, starts_on=starts_on, ends_on=ends_on)


def periods_ending_between(first: date, last: date, policy: DirectivePolicy) -> list[Period]:
    """The review periods whose last day falls within [first, last]."""
    found = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        if cursor.month % policy.review_period_months == 0:
            period = period_of(cursor, policy)
            if first <= period.ends_on <= last:
                found.append(period)
        cursor = add_months(cursor, 1)
    return found
