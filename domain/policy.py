"""A directive's policy: every deadline and threshold of the programme (DOMAIN.md, "Directive").

The public sources are silent on most of these; each is a setting of the directive, with DOMAIN.md's
default, never a constant in code.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.vocabulary import AttendanceMode


class DirectivePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    meeting_interval_months: int = Field(1, ge=1, le=12, description="Cell meetings: monthly, on its meeting day.")
    meeting_reminder_days_before: int = Field(2, ge=0, le=30, description="Reminder to the member before a meeting.")
    meeting_record_days: int = Field(3, ge=1, le=60, description="The cell records a meeting within this many days.")
    meeting_record_escalation_days: int = Field(
        7, ge=1, le=90, description="Days after a meeting when a still missing record goes to HQ."
    )
    review_period_months: int = Field(3, description="Quarterly reviews.")
    interim_review_months: int = Field(6, description="Sơ kết every 6 months.")
    annual_review_months: int = Field(12, description="Tổng kết yearly.")
    nomination_days: int = Field(15, ge=1, le=180, description="Posts nominate within this many days.")
    commune_response_days: int = Field(15, ge=1, le=180, description="The commune answers an introduction within.")
    reminder_days_before: tuple[Annotated[int, Field(ge=1, le=180)], ...] = Field(
        (7, 3), max_length=10, description="Reminders this many days before a response or review deadline."
    )
    review_submission_days: int = Field(10, ge=1, le=90, description="Appraisal and grade are due after a period.")
    correction_follow_up_days: int = Field(60, ge=1, le=365, description="A correction is re-reviewed after.")
    failed_follow_ups_before_replacement: int = Field(2, ge=1, le=10)
    rotation_months: int = Field(12, ge=1, le=120, description="Rotation is due after (never for committee members).")
    rotation_handover_days: int = Field(30, ge=0, le=180, description="After rotation is due, the member hands over.")
    households_min: int = Field(2, ge=1, le=50)
    households_max: int = Field(7, ge=1, le=50)
    attendance_threshold_percent: int = Field(70, ge=0, le=100, description="Below this in a period: a correction.")
    attendance_mode: AttendanceMode = AttendanceMode.ATTEND
    reminder_hour: int = Field(8, ge=0, le=23, description="Local hour (Asia/Ho_Chi_Minh) at which reminders go out.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for months in (self.review_period_months, self.interim_review_months, self.annual_review_months):
            if months not in (1, 2, 3, 4, 6, 12):
                raise ValueError("review periods must divide the year (1, 2, 3, 4, 6 or 12 months)")
        if self.interim_review_months % self.review_period_months or self.annual_review_months % (
            self.interim_review_months
        ):
            raise ValueError("the interim period must be a multiple of the review period, the year of the interim")
        if any(d < 1 for d in self.reminder_days_before) or list(self.reminder_days_before) != sorted(
            set(self.reminder_days_before), reverse=True
        ):
            raise ValueError("reminder_days_before must be positive, distinct and in decreasing order")
        if self.households_min > self.households_max:
            raise ValueError("households_min cannot exceed households_max")
        if self.meeting_record_escalation_days <= self.meeting_record_days:
            raise ValueError("the meeting-record escalation must come after its deadline")
        return self
