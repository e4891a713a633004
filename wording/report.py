"""HQ's report as people read it: Vietnamese by default (1.359; 125.000.000 đ; 87,5%), English on request;
as a table, CSV or JSON; and as a chart (coverage by category, activities, grades)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from app.reports import Column, Figures
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
    "by_year": ("theo năm", "by year"),
    "by_quarter": ("theo quý", "by quarter"),
    "by_month": ("theo tháng", "by month"),
    "by_post": ("theo đồn", "by post"),
    "by_commune": ("theo xã", "by commune"),
    "chart_money": ("Hỗ trợ và quà tặng (triệu đồng)", "Support and gifts (VND million)"),
    "chart_people": ("Đảng viên và hộ được phụ trách", "Members and households in charge"),
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


def rows(f: Figures, lang: str, *, compact: bool = False) -> list[tuple[str, str, Any]]:
    """(key, label, formatted value) in the order HQ reads them; raw values live in the JSON. ``compact``: one
    number per figure (a table of several columns), the meetings' attendance and the gifts' count on rows of their
    own."""
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
                share if compact else f"{share} ({ratio(f.priority_cells_covered, f.priority_cells, lang)})",
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
            money(f.gifts_vnd, lang)
            if compact
            else f"{number(f.activities['gift'], lang)} {label('gift_count', lang)}, {money(f.gifts_vnd, lang)}",
        ),
        ("candidate_trained", label("candidate_trained", lang), number(f.activities["candidate_trained"], lang)),
        ("member_admitted", label("member_admitted", lang), number(f.activities["member_admitted"], lang)),
        (
            "attendance_rate",
            label("attendance_rate", lang),
            percent(f.attendance_rate, lang)
            if compact
            else f"{percent(f.attendance_rate, lang)} ({ratio(f.meetings_present, f.meetings_recorded, lang)})",
        ),
        (
            "meetings",
            label("meetings", lang),
            number(f.meetings_recorded, lang)
            if compact
            else f"{number(f.meetings_recorded, lang)}: {number(f.meetings_present, lang)} {label('present', lang)}, "
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


def _columns_of(
    columns: list[Column], make: Callable[[Figures], Iterable[tuple[str, str, Any]]]
) -> tuple[list[str], dict[str, str], list[dict[str, Any]]]:
    """The keys of every column's rows in order of first appearance, their labels, and each column's values."""
    keys: list[str] = []
    labels: dict[str, str] = {}
    values: list[dict[str, Any]] = []
    for column in columns:
        mine = {}
        for key, name, value in make(column.figures):
            if key not in labels:
                keys.append(key)
                labels[key] = name
            mine[key] = value
        values.append(mine)
    return keys, labels, values


def series_rows(columns: list[Column], lang: str) -> list[tuple[str, list[str]]]:
    """(label, one formatted value per column) for every figure of a report side by side."""
    keys, labels, values = _columns_of(columns, lambda f: rows(f, lang, compact=True))
    return [(labels[k], [str(v.get(k, "")) for v in values]) for k in keys]


def as_series_table(whole: Figures, columns: list[Column], lang: str) -> str:
    """The report per period or unit, side by side (as the programme compares 2019 with 2024)."""
    body = series_rows(columns, lang)
    width = max(len(name) for name, _ in body) + 2
    widths = [max(len(c.label), *(len(values[i]) for _, values in body)) + 2 for i, c in enumerate(columns)]
    lines = [*heading(whole, lang), ""]
    lines.append(" " * width + "".join(f"{c.label:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for name, values in body:
        lines.append(f"{name:<{width}}" + "".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)))
    return "\n".join(lines)


def as_series_csv(columns: list[Column], lang: str) -> str:
    """The report per period or unit as CSV of numbers: a row per figure, a column per period or unit."""
    keys, labels, values = _columns_of(columns, lambda f: numbers(f, lang))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "label", *(c.label for c in columns)])
    for key in keys:
        writer.writerow([key, labels[key], *("" if v.get(key) is None else v[key] for v in values)])
    return out.getvalue()


def as_series_json(whole: Figures, columns: list[Column], by: str, lang: str) -> str:
    return json.dumps(
        {
            "by": by,
            "whole": json.loads(as_json(whole, lang)),
            "columns": [{"label": c.label, **json.loads(as_json(c.figures, lang))} for c in columns],
        },
        ensure_ascii=False,
        indent=2,
    )


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


def chart(whole: Figures, columns: list[Column], lang: str, path: Path) -> None:
    """The report in one figure (PNG or SVG by the file's extension): coverage by category and grades over the whole
    period; activities, money, and members and households per column (each month of the period, or the periods or
    units asked for). Every axis starts at 0 and counts in whole numbers, an empty one too."""
    import matplotlib  # noqa: PLC0415 - heavy, and only for --chart

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    figure, axes = plt.subplots(2, 3, figsize=(18, 10))
    (coverage, activities, money), (people, grades, spare) = axes
    spare.axis("off")
    figure.suptitle("\n".join(heading(whole, lang)), fontsize=11)
    names = [c.label for c in columns]

    def sane(ax: Any, top: float) -> None:
        ax.set_ylim(0, max(1.0, top) * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    def grouped(ax: Any, series: list[tuple[str, list[float], str]], title: str) -> None:
        width = 0.8 / max(1, len(series))
        for i, (name, values, color) in enumerate(series):
            ax.bar([x + i * width for x in range(len(names))], values, width, label=name, color=color)
        ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(names))], names)
        ax.tick_params(axis="x", labelrotation=45 if len(names) > 6 else 0)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        sane(ax, max((v for _, values, _ in series for v in values), default=0))

    categories = [_t(CATEGORIES, c, lang) for c in whole.cells_by_category]
    totals = [t for _, t in whole.cells_by_category.values()]
    covered = [c for c, _ in whole.cells_by_category.values()]
    coverage.barh(categories, totals, color="#d9d9d9", label=label("chart_in_scope", lang))
    bars = coverage.barh(categories, covered, color="#c0392b", label=label("chart_covered", lang))
    coverage.bar_label(bars, labels=[f"{c}/{t}" for c, t in zip(covered, totals, strict=True)], padding=3)
    coverage.set_title(label("chart_coverage", lang))
    coverage.set_xlim(0, max(1, *totals) * 1.15 if totals else 1)
    coverage.xaxis.set_major_locator(MaxNLocator(integer=True))
    kinds = (("information_session", "#2e86c1"), ("household_visit", "#16a085"), ("propaganda", "#8e44ad"),
             ("workday", "#d35400"))  # fmt: skip
    grouped(
        activities,
        [(label(k, lang), [c.figures.activities[k] for c in columns], color) for k, color in kinds],
        label("chart_activities", lang),
    )
    million = 1_000_000
    grouped(
        money,
        [
            (label("material_support", lang), [c.figures.material_support_vnd / million for c in columns], "#27ae60"),
            (label("gift", lang), [c.figures.gifts_vnd / million for c in columns], "#f39c12"),
        ],
        label("chart_money", lang),
    )
    grouped(
        people,
        [
            (label("members_in_cells", lang), [c.figures.members_in_cells for c in columns], "#c0392b"),
            (label("members_sponsoring", lang), [c.figures.members_sponsoring for c in columns], "#2e86c1"),
            (label("households_in_charge", lang), [c.figures.households_in_charge for c in columns], "#7f8c8d"),
        ],
        label("chart_people", lang),
    )
    graded = grades.bar([_t(GRADES, g, lang) for g in whole.grades], list(whole.grades.values()), color="#27ae60")
    grades.bar_label(graded, labels=[number(n, lang) for n in whole.grades.values()], padding=2)
    grades.set_title(label("chart_grades", lang))
    grades.tick_params(axis="x", labelrotation=25)
    sane(grades, max(whole.grades.values(), default=0))
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
