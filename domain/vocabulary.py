"""The words of the programme (DOMAIN.md): kinds, stages, grades, reasons, and who is addressed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.actors import Role


class AssignmentKind(StrEnum):
    CELL_PARTICIPATION = "cell_participation"  # tham gia sinh hoạt chi bộ thôn/ấp/bản
    HOUSEHOLD_SPONSORSHIP = "household_sponsorship"  # phụ trách hộ gia đình


class Stage(StrEnum):
    NOMINATED = "nominated"
    INTRODUCED = "introduced"
    RECEIVED = "received"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class EndReason(StrEnum):
    DECLINED_BY_COMMUNE = "declined_by_commune"
    TERM_COMPLETED = "term_completed"
    ROTATED = "rotated"
    TRANSFERRED = "transferred"
    DISCHARGED = "discharged"
    DISCIPLINED = "disciplined"
    WITHDRAWN = "withdrawn"
    CELL_MERGED = "cell_merged"
    REPLACED = "replaced"
    GRADUATED = "graduated"  # households out of poverty (household sponsorship)
    REASSIGNED = "reassigned"  # household group given to another member


# Reasons a post may give when it withdraws a member (the others are decided by the process itself).
POST_END_REASONS = frozenset(
    {
        EndReason.ROTATED,
        EndReason.TRANSFERRED,
        EndReason.DISCHARGED,
        EndReason.DISCIPLINED,
        EndReason.WITHDRAWN,
        EndReason.CELL_MERGED,
        EndReason.GRADUATED,
        EndReason.REASSIGNED,
    }
)


class Attendance(StrEnum):
    PRESENT = "present"  # có mặt
    EXCUSED = "excused"  # vắng có lý do
    ABSENT = "absent"  # vắng không lý do


class AttendanceMode(StrEnum):
    ATTEND = "attend"  # tham dự
    TEMPORARY_MEMBER = "temporary_member"  # sinh hoạt tạm thời


class Contribution(StrEnum):
    """What a member brought to a cell meeting (DOMAIN.md, "The programme in one paragraph")."""

    BORDER_BRIEFING = "border_briefing"  # thông tin tình hình biên giới
    RESOLUTION_DRAFTING = "resolution_drafting"  # giúp xây dựng nghị quyết
    MEMBER_DEVELOPMENT = "member_development"  # phát triển đảng viên
    OTHER = "other"


class ActivityKind(StrEnum):
    INFORMATION_SESSION = "information_session"  # buổi thông tin, tuyên truyền
    HOUSEHOLD_VISIT = "household_visit"  # thăm hộ
    PROPAGANDA = "propaganda"  # tuyên truyền, vận động
    WORKDAY = "workday"  # ngày công giúp dân
    MATERIAL_SUPPORT = "material_support"  # hỗ trợ vật chất (tiền, hiện vật)
    GIFT = "gift"  # tặng quà
    CANDIDATE_TRAINED = "candidate_trained"  # bồi dưỡng quần chúng ưu tú
    MEMBER_ADMITTED = "member_admitted"  # kết nạp đảng viên


class Grade(StrEnum):
    EXCELLENT = "excellent"  # hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # hoàn thành tốt nhiệm vụ
    COMPLETED = "completed"  # hoàn thành nhiệm vụ
    NOT_COMPLETED = "not_completed"  # không hoàn thành nhiệm vụ


class PeriodKind(StrEnum):
    QUARTERLY = "quarterly"
    INTERIM = "interim"  # sơ kết 6 tháng
    ANNUAL = "annual"  # tổng kết năm
    FOLLOW_UP = "follow_up"  # re-review after a correction


class Subject(StrEnum):
    """What a reminder or an escalation is about."""

    INTRODUCTION = "introduction"  # the introduction letter reached the commune
    COMMUNE_RESPONSE = "commune_response"
    MEETING = "meeting"
    MEETING_RECORD = "meeting_record"
    REVIEW_APPRAISAL = "review_appraisal"
    REVIEW_GRADE = "review_grade"
    CORRECTION = "correction"
    ROTATION = "rotation"
    NOMINATION = "nomination"
    COVERAGE = "coverage"
    REPLACEMENT = "replacement"
    DIGEST = "digest"  # the daily list of an officer's open tasks
    READ_MODEL = "read_model"  # a read model could not apply a stored event (HQ sees to it)
    SEAL_WITNESS = "seal_witness"  # the log's latest seal, sent every day to the auditors (a witness outside)


class Recipient(BaseModel):
    """Who must act: a role and, except for HQ, which post, commune, cell or member."""

    model_config = ConfigDict(frozen=True)

    role: Role
    id: str | None = None

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}" if self.id else self.role.value


HQ = Recipient(role=Role.HQ)
