"""What a notification says, in Vietnamese (or English, per recipient): what is due, for whom, by when, and
the exact command that does it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.tasks import Task
from domain.vocabulary import Subject
from notifications.models import Message, Names, Notification
from wording.tasks import command, what

# subject -> (Vietnamese title, English title); {member}, {cell}, {due}, {reference}, {directive} are filled in.
_TITLES: dict[Subject, tuple[str, str]] = {
    Subject.INTRODUCTION: (
        "Giới thiệu đảng viên {member} tham gia sinh hoạt tại {cell}",
        "Introduction: party member {member} to join {cell}",
    ),
    Subject.COMMUNE_RESPONSE: (
        "Nhắc việc: trả lời giới thiệu đảng viên {member} trước ngày {due}",
        "Reminder: answer the introduction of {member} by {due}",
    ),
    Subject.MEETING: (
        "Nhắc việc: sinh hoạt {cell} ngày {due}",
        "Reminder: meeting of {cell} on {due}",
    ),
    Subject.MEETING_RECORD: (
        "Nhắc việc: ghi biên bản sinh hoạt tháng {reference} (đảng viên {member}) trước ngày {due}",
        "Reminder: record the {reference} meeting (member {member}) by {due}",
    ),
    Subject.REVIEW_APPRAISAL: (
        "Nhận xét đảng viên {member} kỳ {reference} trước ngày {due}",
        "Appraise member {member} for {reference} by {due}",
    ),
    Subject.REVIEW_GRADE: (
        "Xếp loại đảng viên {member} kỳ {reference} trước ngày {due}",
        "Grade member {member} for {reference} by {due}",
    ),
    Subject.CORRECTION: (
        "Phê bình, chấn chỉnh đảng viên {member}: kiểm tra lại ngày {due}",
        "Correction of member {member}: follow-up review on {due}",
    ),
    Subject.ROTATION: (
        "Đến hạn luân phiên đảng viên {member} tại {cell}: bàn giao trước ngày {due}",
        "Rotation due for {member} in {cell}: hand over by {due}",
    ),
    Subject.NOMINATION: (
        "Cử đảng viên tham gia sinh hoạt chi bộ theo {directive} trước ngày {due}",
        "Nominate members for the cells of {directive} by {due}",
    ),
    Subject.REPLACEMENT: (
        "Cử đảng viên thay thế cho chi bộ {reference} trước ngày {due}",
        "Nominate a replacement for cell {reference} by {due}",
    ),
    Subject.COVERAGE: (
        "Chi bộ chưa có đảng viên tham gia sinh hoạt: {reference}",
        "Cells still without a member: {reference}",
    ),
    Subject.READ_MODEL: (
        "Số liệu chưa cập nhật được sự kiện {reference}",
        "A read model could not apply the event {reference}",
    ),
    Subject.SEAL_WITNESS: (
        "Dấu niêm phong nhật ký ngày {due}",
        "The log's seal on {due}",
    ),
    Subject.DIGEST: (
        "Việc cần làm ngày {due}: {count} việc, {overdue} quá hạn",
        "Your tasks on {due}: {count} open, {overdue} overdue",
    ),
}


def _date(day: date | None, language: str) -> str:
    if day is None:
        return "-"
    return f"{day:%d/%m/%Y}" if language == "vi" else day.isoformat()


_STATUS = {
    "delivered": ("đã gửi tới", "delivered to"),
    "pending": ("đang gửi tới", "being delivered to"),
    "dead": ("KHÔNG gửi được tới", "could NOT be delivered to"),
}


def _chain(n: Notification, lang: str) -> list[str]:
    """The reminders that went before an escalation: when, to whom, and whether they arrived."""
    if not n.chain:
        keys = n.details.get("reminders") or []
        return [("Đã nhắc: " if lang == "vi" else "Reminders sent: ") + ", ".join(keys) + "."] if keys else []
    lines = ["Các lần đã nhắc:" if lang == "vi" else "Reminders sent before:"]
    for r in n.chain:
        vi, en = _STATUS.get(r.status, (r.status, r.status))
        via = f" ({r.channel})" if r.channel else ""
        lines.append(f"- {_date(r.queued_on, lang)}: {vi if lang == 'vi' else en} {r.recipient}{via} [{r.key}]")
    return lines


def _task_line(facts: dict[str, Any], lang: str) -> str:
    task = Task.model_validate(facts)
    flag = ("QUÁ HẠN " if lang == "vi" else "OVERDUE ") if task.overdue else ""
    return f"- {flag}{_date(task.due_on, lang)}: {what(task, lang)}\n    {command(task)}"


def command_for(n: Notification) -> str | None:
    """The command that does what the notice asks (None when it only informs)."""
    a, who = n.assignment_id, n.recipient
    match n.subject:
        case Subject.INTRODUCTION | Subject.COMMUNE_RESPONSE:
            accept = f'phancong commune accept "{a}" --as {who}'
            return f'{accept}   |   phancong commune decline "{a}" --reason "..." --as {who}'
        case Subject.MEETING_RECORD:
            return f'phancong meeting record "{a}" --date YYYY-MM-DD --attendance present --as {who}'
        case Subject.REVIEW_APPRAISAL:
            return f'phancong appraisal submit "{a}" --period {n.reference} --text "..." --as {who}'
        case Subject.REVIEW_GRADE:
            return f'phancong grade "{a}" --period {n.reference} --grade good --as {who}'
        case Subject.NOMINATION | Subject.ROTATION | Subject.REPLACEMENT:
            cell = n.reference if n.subject == Subject.REPLACEMENT else "CELL"
            return f'phancong nominate --directive "{n.directive_id}" --member MEMBER --cell {cell} --as {who}'
        case Subject.DIGEST:
            return f"phancong tasks --as {who}"
        case Subject.READ_MODEL:
            return "phancong projections status"
        case Subject.SEAL_WITNESS:
            return f"phancong audit verify --expect-seal {n.details.get('hash', '-')}"
    return None


def _explained(n: Notification, lang: str) -> list[str]:
    """What a notice that is not a task says beyond its title."""
    lines: list[str] = []
    if n.subject == Subject.SEAL_WITNESS:
        seal_no, events, digest = n.details.get("seal_no"), n.details.get("events"), n.details.get("hash")
        if lang == "vi":
            lines += [
                f"Dấu niêm phong số {seal_no}, phủ {events} sự kiện: {digest}",
                "Lưu thư này ngoài hệ thống. Bất kỳ lúc nào, lệnh dưới đây báo lỗi nếu nhật ký đã bị viết lại.",
            ]
        else:
            lines += [
                f"Seal no. {seal_no}, covering {events} events: {digest}",
                "Keep this message outside phancong. At any time, the command below fails if the log was rewritten.",
            ]
    if n.subject == Subject.READ_MODEL:
        error = n.details.get("error") or "-"
        projection = n.details.get("projection") or "-"
        if lang == "vi":
            lines += [
                f"Bảng: {projection}. Lỗi: {error}",
                "Các sự kiện khác vẫn được cập nhật. Sau khi khắc phục, chạy `phancong projections rebuild`.",
            ]
        else:
            lines += [
                f"Read model: {projection}. Error: {error}",
                "Every other event is still applied. Once the cause is fixed, run `phancong projections rebuild`.",
            ]
    return lines


def render(n: Notification, names: Names, language: str) -> Message:
    lang = "vi" if language != "en" else "en"
    fields = {
        "member": names.member or "-",
        "cell": names.cell or "-",
        "directive": names.directive or n.directive_id or "-",
        "reference": n.reference or "-",
        "due": _date(n.due_on, lang),
    }
    tasks: list[dict[str, Any]] = list(n.details.get("tasks", [])) if n.subject == Subject.DIGEST else []
    if n.subject == Subject.DIGEST:
        fields |= {"count": str(len(tasks)), "overdue": str(sum(1 for t in tasks if t.get("overdue")))}
    vi, en = _TITLES[n.subject]
    if n.escalation and n.due_on is not None and n.subject != Subject.COVERAGE:
        fields["due"] = _date(n.due_on - timedelta(days=1), lang)  # the deadline that was missed
    title = (vi if lang == "vi" else en).format(**fields)
    if n.escalation:
        title = title.removeprefix("Nhắc việc: ").removeprefix("Reminder: ")
    command = command_for(n)
    lines: list[str] = []
    if n.escalation:
        responsible = n.details.get("responsible") or "-"
        title = ("Báo cáo quá hạn: " if lang == "vi" else "Overdue: ") + title
        since = _date(n.due_on, lang)
        if lang == "vi":
            lines += [f"Đơn vị chịu trách nhiệm: {responsible}.", f"Quá hạn từ ngày {since}."]
        else:
            lines += [f"Responsible: {responsible}.", f"Overdue since {since}."]
        lines += _chain(n, lang)
    elif n.due_on is not None and n.subject not in (Subject.DIGEST, Subject.COVERAGE, Subject.SEAL_WITNESS):
        lines.append(("Hạn: " if lang == "vi" else "Due: ") + fields["due"])
    lines += [_task_line(t, lang) for t in tasks]
    lines += _explained(n, lang)
    context = []
    if n.directive_id:
        context.append(("Chỉ thị" if lang == "vi" else "Directive") + f": {fields['directive']}")
    if n.assignment_id:
        context.append(("Phân công" if lang == "vi" else "Assignment") + f": {n.assignment_id}")
    if names.commune:
        context.append(("Xã" if lang == "vi" else "Commune") + f": {names.commune}")
    if names.post:
        context.append(("Đồn" if lang == "vi" else "Post") + f": {names.post}")
    body_lines = [title, "", *lines, *context]
    if command and not n.escalation:
        body_lines += ["", ("Thực hiện: " if lang == "vi" else "To do it: ") + command]
    body_lines += ["", "-- phancong (Bộ đội Biên phòng)"]
    return Message(language=lang, subject=title, body="\n".join(body_lines), command=command)
