"""Dates of the programme in Asia/Ho_Chi_Minh (pure unit tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calendar import add_months, local_date, local_time, meetings_between, periods_ending_between
from domain.policy import DirectivePolicy
from domain.vocabulary import PeriodKind


def test_a_meeting_day_beyond_the_month_falls_on_its_last_day() -> None:
    assert meetings_between(date(2028, 1, 1), date(2028, 4, 30), 31) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]


def test_meetings_every_two_months_start_from_the_first_month() -> None:
    assert meetings_between(date(2027, 1, 20), date(2027, 6, 30), 15, 2) == [date(2027, 3, 15), date(2027, 5, 15)]


def test_local_dates_and_hours_are_in_viet_nam() -> None:
    assert local_date(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_time(date(2027, 1, 1), 8) == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)


def test_adding_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_each_period_end_has_one_review_of_its_largest_kind() -> None:
    periods = periods_ending_between(date(2027, 1, 1), date(2027, 12, 31), DirectivePolicy())
    assert [(p.label, p.kind, p.starts_on, p.ends_on) for p in periods] == [
        ("2027-Q1", PeriodKind.QUARTERLY, date(2027, 1, 1), date(2027, 3, 31)),
        ("2027-H1", PeriodKind.INTERIM, date(2027, 1, 1), date(2027, 6, 30)),
        ("2027-Q3", PeriodKind.QUARTERLY, date(2027, 7, 1), date(2027, 9, 30)),
        ("2027", PeriodKind.ANNUAL, date(2027, 1, 1), date(2027, 12, 31)),
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {"review_period_months": 5},
        {"review_period_months": 4, "interim_review_months": 6},
        {"reminder_days_before": (3, 7)},
        {"households_min": 8, "households_max": 7},
        {"meeting_record_days": 5, "meeting_record_escalation_days": 4},
    ],
)
def test_an_inconsistent_policy_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError
        DirectivePolicy.model_validate(settings)
