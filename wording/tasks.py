"""An open task in words: what is to be done (Vietnamese or English) and the command that does it."""

from __future__ import annotations

from typing import Any

from domain.tasks import Task

# kind -> (Vietnamese, English); filled in from the task's facts.
_WHAT: dict[str, tuple[str, str]] = {
    "commune_response": (
        "Trả lời giới thiệu đảng viên {member} vào chi bộ {cell}",
        "Answer the introduction of member {member} to cell {cell}",
    ),
    "meeting_record": (
        "Ghi biên bản sinh hoạt tháng {reference}: đảng viên {member}",
        "Record the {reference} meeting: member {member}",
    ),
    "meeting": ("Dự sinh hoạt chi bộ {cell} ngày {meeting}", "Attend the meeting of cell {cell} on {meeting}"),
    "appraisal": ("Nhận xét đảng viên {member} kỳ {reference}", "Appraise member {member} for {reference}"),
    "grade": ("Xếp loại đảng viên {member} kỳ {reference}", "Grade member {member} for {reference}"),
    "nomination": ("Cử đảng viên cho {count} chi bộ: {cells}", "Nominate members for {count} cells: {cells}"),
    "replacement": (
        "Cử đảng viên thay thế cho chi bộ {cell} ({reason})",
        "Nominate a replacement for cell {cell} ({reason})",
    ),
}


def _some(ids: tuple[str, ...]) -> str:
    return ", ".join(ids[:5]) + ("…" if len(ids) > 5 else "")


def what(task: Task, language: str = "vi") -> str:
    """The task in the reader's language (Vietnamese unless ``en``)."""
    vi, en = _WHAT.get(task.kind, ("{kind}", "{kind}"))
    meeting = task.meeting_on
    return (en if language == "en" else vi).format(
        kind=task.kind,
        member=task.member_id or "-",
        cell=task.cell_id or "-",
        reference=task.reference or "-",
        meeting=(meeting.isoformat() if language == "en" else f"{meeting:%d/%m/%Y}") if meeting else "-",
        count=len(task.cells),
        cells=_some(task.cells),
        reason=task.reason or "-",
    )


def command(task: Task) -> str:
    """The command line that does it (the CLI's words; the web app shows a form instead)."""
    a, who = task.assignment_id, task.actor
    match task.kind:
        case "commune_response":
            return f"phancong commune accept {a} --as {who}   (or: commune decline {a} --reason ...)"
        case "meeting_record":
            return f"phancong meeting record {a} --date {task.meeting_on} --attendance present --as {who}"
        case "appraisal":
            return f"phancong appraisal submit {a} --period {task.reference} --text '...' --as {who}"
        case "grade":
            return f"phancong grade {a} --period {task.reference} --grade good --as {who}"
        case "nomination" | "replacement":
            cell = task.cell_id or (task.cells[0] if task.cells else "CELL")
            return f"phancong nominate --directive {task.directive_id} --member MEMBER --cell {cell} --as {who}"
    return "(attend the meeting)"


def worded(task: Task, language: str = "vi") -> dict[str, Any]:
    """The task's facts with what it asks and the command that does it (the CLI's JSON, a digest's details)."""
    return task.model_dump(mode="json") | {"what": what(task, language), "command": command(task)}
