"""HQ's report as people read it: Vietnamese by default (1.359; 125.000.000 đ; 87,5%), English on request;
as a table, CSV or JSON; and as a chart (coverage by category, activities, grades)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from app.reports import Figures
from domain.calendar import VIETNAM

LABELS: dict[str, tuple[str, str]] = {
    "title": ("BÁO CÁO KẾT QUẢ THỰC HIỆN", "PROGRAMME REPORT"),
    "directive": ("Chỉ thị", "Directive"),
    "all_directives": ("Các chỉ thị", "Directives"),
    "scope": ("Phạm vi", "Scope"),
    "province": ("toàn tỉnh", "the province"),
    "post": ("đồn", "post"),
    "commune": ("xã", "commune"),
    "period": ("Thời gian", "Period"),
    "members_participating": ("Đảng viên tham gia (cả hai hình thức)", "Members taking part (either way)"),
    "members_in_cells": ("Đảng viên tham gia sinh hoạt chi bộ thôn, ấp", "Members in village cells"),
    "members_sponsoring": ("Đảng viên phụ trách hộ gia đình", "Members in charge of households"),
    "villages_sponsored": ("Thôn, ấp có hộ được phụ trách", "Villages with households in charge"),
    "cells_covered": ("Chi bộ có đảng viên tham gia sinh hoạt", "Cells with a member taking part"),
    "priority_share": ("Tỷ lệ chi bộ trọng điểm được phụ trách", "Share of priority cells covered"),
    "communes_covered": ("Xã có đảng viên tham gia", "Communes covered"),
    "households_in_scope": ("Hộ gia đình trong phạm vi", "Households in scope"),
    "households_in_charge": ("Hộ gia đình được phụ trách", "Households in charge"),
    "households_per_member": ("Bình quân hộ/đảng viên", "Households per member"),
    "information_session": ("Buổi thông tin, tuyên truyền", "Information sessions"),
    "household_visit": ("Lượt thăm hộ", "Household visits"),
    "propaganda": ("Buổi tuyên truyền, vận động", "Propaganda sessions"),
    "workday": ("Ngày công giúp dân", "Workdays"),
    "material_support": ("Hỗ trợ vật chất", "Material support"),
    "gift": ("Quà tặng", "Gifts"),
    "candidate_trained": ("Quần chúng ưu tú được bồi dưỡng", "Candidates trained"),
    "member_admitted": ("Đảng viên được kết nạp", "Members admitted"),
    "attendance_rate": ("Tỷ lệ dự sinh hoạt", "Attendance rate"),
    "meetings": ("Lượt sinh hoạt được ghi nhận", "Meetings recorded"),
    "appraisals": ("Bản nhận xét đã nhận", "Appraisals received"),
    "grades": ("Xếp loại", "Grades"),
    "commendations": ("Khen thưởng", "Commendations"),
    "corrections": ("Phê bình, chấn chỉnh", "Corrections"),
    "rotations": ("Luân phiên", "Rotations"),
    "overdue_tasks": ("Việc quá hạn", "Overdue tasks"),
    "as_of": ("Số liệu như được ghi nhận đến", "As recorded up to"),
    "outside_terms": (
        "Lưu ý: thời gian báo cáo nằm ngoài thời hạn của mọi chỉ thị được chọn, không có kết quả nào trong đó.",
        "Note: the period lies outside the term of every directive chosen: none of their work falls in it.",
    ),
    "gift_count": ("suất", "gifts"),
    "present": ("có mặt", "present"),
    "excused": ("vắng có lý do", "excused"),
    "absent": ("vắng không lý do", "absent"),
    "chart_coverage": ("Chi bộ có đảng viên tham gia, theo loại", "Cells covered, by category"),
    "chart_in_scope": ("trong phạm vi", "in scope"),
    "chart_covered": ("có đảng viên", "covered"),
    "chart_activities": ("Hoạt động", "Activities"),
    "chart_grades": ("Xếp loại đảng viên", "Grades"),
}
CATEGORIES: dict[str, tuple[str, str]] = {
    "bordering": ("thôn giáp biên", "bordering"),
    "complex_security": ("phức tạp về an ninh trật tự", "complex security"),
    "weak": ("còn hạn chế", "weak"),
    "zero_member_village": ("thôn trắng đảng viên", "no party member"),
    "none": ("khác", "other"),
}
TAGS: dict[str, tuple[str, str]] = {
    "border_farmland": ("có đất sản xuất giáp biên", "farmland at the border"),
    "policy_or_hardship": ("gia đình chính sách, khó khăn", "policy or hardship"),
    "complex_political_relations": ("có quan hệ chính trị phức tạp", "complex political relations"),
    "cross_border_kin": ("có thân nhân bên kia biên giới", "kin across the border"),
    "religion": ("theo tôn giáo", "religious"),
    "poor": ("hộ nghèo", "poor"),
    "revolutionary_merit": ("có công với cách mạng", "revolutionary merit"),
}
GRADES: dict[str, tuple[str, str]] = {
    "excellent": ("Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
    "good": ("Hoàn thành tốt nhiệm vụ", "Good"),
    "completed": ("Hoàn thành nhiệm vụ", "Completed"),
    "not_completed": ("Không hoàn thành nhiệm vụ", "Not completed"),
}


def _t(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    vi, en = table.get(key, (key, key))
    return vi if lang == "vi" else en


def label(key: str, lang: str) -> str:
    return _t(LABELS, key, lang)


def number(n: int, lang: str) -> str:
    """1.359 in Vietnamese, 1,359 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def money(n: int, lang: str) -> str:
    """125.000.000 đ in Vietnamese, VND 125,000,000 in English."""
    return f"{number(n, 'vi')} đ" if lang == "vi" else f"VND {n:,}"


def decimal(x: float, lang: str, digits: int = 1) -> str:
    text = f"{x:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") if lang == "vi" else text


def percent(x: float | None, lang: str) -> str:
    return "-" if x is None else decimal(100 * x, lang) + "%"


def day(d: date, lang: str) -> str:
    return f"{d:%d/%m/%Y}" if lang == "vi" else d.isoformat()


def ratio(a: int, b: int, lang: str) -> str:
    return f"{number(a, lang)}/{number(b, lang)}"


def rows(f: Figures, lang: str) -> list[tuple[str, str, Any]]:
    """(key, label, formatted value) in the order HQ reads them; raw values live in the JSON."""
    cells = bool(f.cells_in_scope or f.members_in_cells)
    households = bool(f.households_in_scope or f.members_sponsoring or f.households_in_charge)
    out: list[tuple[str, str, Any]] = []
    if cells and households:
        out.append(
            ("members_participating", label("members_participating", lang), number(f.members_participating, lang))
        )
    if cells or not households:  # cell participation: its members, and the cells and communes they cover
        out += [
            ("members_in_cells", label("members_in_cells", lang), number(f.members_in_cells, lang)),
            ("cells_covered", label("cells_covered", lang), ratio(f.cells_covered, f.cells_in_scope, lang)),
        ]
        for category, (covered, total) in f.cells_by_category.items():
            name = "  - " + _t(CATEGORIES, category, lang)
            out.append((f"cells_covered.{category}", name, ratio(covered, total, lang)))
        share = percent(f.priority_share, lang)
        out += [
            (
                "priority_share",
                label("priority_share", lang),
                f"{share} ({ratio(f.priority_cells_covered, f.priority_cells, lang)})",
            ),
            (
                "communes_covered",
                label("communes_covered", lang),
                ratio(f.communes_covered, f.communes_in_scope, lang),
            ),
        ]
    if households:  # household sponsorship: its members, the households in charge and the villages they live in
        out += [
            ("members_sponsoring", label("members_sponsoring", lang), number(f.members_sponsoring, lang)),
            (
                "villages_sponsored",
                label("villages_sponsored", lang),
                ratio(f.villages_sponsored, f.villages_in_scope, lang),
            ),
            ("households_in_scope", label("households_in_scope", lang), number(f.households_in_scope, lang)),
            ("households_in_charge", label("households_in_charge", lang), number(f.households_in_charge, lang)),
        ]
        if f.households_per_member is not None:
            per = decimal(f.households_per_member, lang)
            out.append(("households_per_member", label("households_per_member", lang), per))
        if f.households_in_charge:
            for tag, n in f.households_by_tag.items():
                out.append((f"households_by_tag.{tag}", "  - " + _t(TAGS, tag, lang), number(n, lang)))
    for kind in ("information_session", "household_visit", "propaganda", "workday"):
        out.append((kind, label(kind, lang), number(f.activities[kind], lang)))
    out += [
        ("material_support_vnd", label("material_support", lang), money(f.material_support_vnd, lang)),
        (
            "gifts",
            label("gift", lang),
            f"{number(f.activities['gift'], lang)} {label('gift_count', lang)}, {money(f.gifts_vnd, lang)}",
        ),
        ("candidate_trained", label("candidate_trained", lang), number(f.activities["candidate_trained"], lang)),
        ("member_admitted", label("member_admitted", lang), number(f.activities["member_admitted"], lang)),
        (
            "attendance_rate",
            label("attendance_rate", lang),
            f"{percent(f.attendance_rate, lang)} ({ratio(f.meetings_present, f.meetings_recorded, lang)})",
        ),
        (
            "meetings",
            label("meetings", lang),
            f"{number(f.meetings_recorded, lang)}: {number(f.meetings_present, lang)} {label('present', lang)}, "
            f"{number(f.meetings_excused, lang)} {label('excused', lang)}, "
            f"{number(f.meetings_absent, lang)} {label('absent', lang)}",
        ),
        ("appraisals", label("appraisals", lang), number(f.appraisals, lang)),
    ]
    for grade, n in f.grades.items():
        out.append((f"grades.{grade}", f"{label('grades', lang)}: {_t(GRADES, grade, lang)}", number(n, lang)))
    out += [
        ("commendations", label("commendations", lang), number(f.commendations, lang)),
        ("corrections", label("corrections", lang), number(f.corrections, lang)),
        ("rotations", label("rotations", lang), number(f.rotations, lang)),
        (
            "overdue_tasks",
            label("overdue_tasks", lang),
            "—" if f.overdue_tasks is None else number(f.overdue_tasks, lang),
        ),
    ]
    return out


def heading(f: Figures, lang: str) -> list[str]:
    if len(f.directives) == 1:
        what = f"{label('directive', lang)} {f.directives[0]}" + (f" ({f.title})" if f.title else "")
    else:
        what = f"{label('all_directives', lang)}: {', '.join(f.directives)}"
    where = [label("province", lang)] if f.post is None and f.commune is None else []
    if f.post:
        where.append(f"{label('post', lang)} {f.post}")
    if f.commune:
        where.append(f"{label('commune', lang)} {f.commune}")
    lines = [
        f"{label('title', lang)} — {what}",
        f"{label('scope', lang)}: {', '.join(where)}; "
        f"{label('period', lang)}: {day(f.start, lang)} – {day(f.end, lang)}",
    ]
    if f.outside_terms:
        lines.append(label("outside_terms", lang))
    if f.as_of is not None:
        moment = f.as_of.astimezone(VIETNAM)
        lines.append(f"{label('as_of', lang)}: {day(moment.date(), lang)} {moment:%H:%M} (UTC+7)")
    return lines


def as_table(f: Figures, lang: str) -> str:
    body = rows(f, lang)
    width = max(len(label) for _, label, _ in body) + 2
    return "\n".join([*heading(f, lang), "", *(f"{label:<{width}}{value}" for _, label, value in body)])


COUNTS = (
    "members_participating", "members_in_cells", "members_sponsoring", "cells_in_scope", "cells_covered",
    "priority_cells", "priority_cells_covered", "communes_in_scope", "communes_covered", "households_in_scope",
    "villages_in_scope", "villages_sponsored", "households_in_charge", "household_members",
    "material_support_vnd", "gifts_vnd", "meetings_recorded", "meetings_present", "meetings_excused",
    "meetings_absent", "appraisals", "commendations", "corrections", "rotations", "overdue_tasks",
)  # fmt: skip


def numbers(f: Figures, lang: str) -> list[tuple[str, str, int | float | None]]:
    """Every figure as a number (key, label, value): what a spreadsheet reads; ``None`` where the viewer may not
    see it."""
    data = f.model_dump()
    out: list[tuple[str, str, int | float | None]] = [(k, label(k.removesuffix("_vnd"), lang), data[k]) for k in COUNTS]
    for category, (covered, total) in f.cells_by_category.items():
        name = _t(CATEGORIES, category, lang)
        out.append((f"cells_by_category.{category}.covered", f"{label('cells_covered', lang)}: {name}", covered))
        out.append((f"cells_by_category.{category}.in_scope", f"{label('chart_in_scope', lang)}: {name}", total))
    out += [(f"households_by_tag.{t}", _t(TAGS, t, lang), n) for t, n in f.households_by_tag.items()]
    out += [(f"activities.{k}", label(k, lang), n) for k, n in f.activities.items()]
    out += [(f"grades.{g}", _t(GRADES, g, lang), n) for g, n in f.grades.items()]
    out.append(("attendance_rate", label("attendance_rate", lang), f.attendance_rate))
    out.append(("priority_share", label("priority_share", lang), f.priority_share))
    return out


def as_number_csv(f: Figures, lang: str) -> str:
    """The report as CSV whose values are numbers (1359, 125000000, 0.875), an empty cell where withheld."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "label", "value"])
    for key, name, value in numbers(f, lang):
        writer.writerow([key, name, "" if value is None else value])
    return out.getvalue()


def as_json(f: Figures, lang: str) -> str:
    data = f.model_dump(mode="json")
    data.update(
        attendance_rate=f.attendance_rate,
        priority_share=f.priority_share,
        households_per_member=f.households_per_member,
        language=lang,
        rows=[{"key": k, "label": label, "value": v} for k, label, v in rows(f, lang)],
    )
    return json.dumps(data, ensure_ascii=False, indent=2)


def chart(f: Figures, lang: str, path: Path) -> None:
    """Coverage by category, activities and grades, in one figure (PNG or SVG by the file's extension)."""
    import matplotlib  # noqa: PLC0415 - heavy, and only for --chart

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, (coverage, activities, grades) = plt.subplots(1, 3, figsize=(16, 5.5))
    figure.suptitle("\n".join(heading(f, lang)), fontsize=11)
    names = [_t(CATEGORIES, c, lang) for c in f.cells_by_category]
    totals = [t for _, t in f.cells_by_category.values()]
    covered = [c for c, _ in f.cells_by_category.values()]
    positions = range(len(names))
    coverage.barh(list(positions), totals, color="#d9d9d9", label=label("chart_in_scope", lang))
    bars = coverage.barh(list(positions), covered, color="#c0392b", label=label("chart_covered", lang))
    coverage.bar_label(bars, labels=[f"{c}/{t}" for c, t in zip(covered, totals, strict=True)], padding=3)
    coverage.set_yticks(list(positions), names)
    coverage.set_title(label("chart_coverage", lang))
    coverage.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2, frameon=False)
    kinds = ["information_session", "household_visit", "propaganda", "workday", "candidate_trained", "member_admitted"]
    done = activities.bar([label(k, lang) for k in kinds], [f.activities[k] for k in kinds], color="#2e86c1")
    activities.bar_label(done, labels=[number(f.activities[k], lang) for k in kinds], padding=2)
    activities.set_title(label("chart_activities", lang))
    activities.tick_params(axis="x", labelrotation=35)
    for tick in activities.get_xticklabels():
        tick.set_horizontalalignment("right")
    graded = grades.bar([_t(GRADES, g, lang) for g in f.grades], list(f.grades.values()), color="#27ae60")
    grades.bar_label(graded, labels=[number(n, lang) for n in f.grades.values()], padding=2)
    grades.set_title(label("chart_grades", lang))
    grades.tick_params(axis="x", labelrotation=25)
    for tick in grades.get_xticklabels():
        tick.set_horizontalalignment("right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def as_workbook(f: Figures, lang: str) -> bytes:
    """The report as an Excel workbook: the heading, then one row per figure with its value as a number."""
    from openpyxl import Workbook  # noqa: PLC0415 (only the workbook's download needs it)
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "phancong"
    for line in heading(f, lang):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append(["key", "Chỉ tiêu" if lang == "vi" else "Figure", "value"])
    for key, name, value in numbers(f, lang):
        sheet.append([key, name, value])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
