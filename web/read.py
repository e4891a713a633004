"""Pages that read: HQ's report (figures, charts drawn inline as SVG, a print layout, CSV), the history of a
member, cell, assignment or directive as it stood on a date, the directory, and the auditor's checks."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from app import audit, directory, history, reports
from app.history import as_of_moment
from app.reports import Column, Figures
from app.scopes import Subject
from directory.model import DirectoryFile
from domain.bounds import business_date
from domain.errors import InvalidInputError
from infra.files import parse_document, validate_document
from web.frame import Context, Viewer, posted, refusal, render, uploaded_file
from wording import report as formats

router = APIRouter(include_in_schema=False)
CHART_WIDTH = 320


def _day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return business_date(date.fromisoformat(text[:10]), what)
    except ValueError as refused:
        raise InvalidInputError(f"{what}: {refused}") from None


def bars(items: Sequence[tuple[str, int, int | None]]) -> list[dict[str, Any]]:
    """Horizontal bars (label, value, out of) scaled to the chart's width; an all-zero chart draws no bar."""
    top = max([v for _, v, _ in items] + [o or 0 for _, _, o in items] + [0])
    return [
        {
            "label": label,
            "value": value,
            "of": of,
            "width": round(CHART_WIDTH * value / top) if top else 0,
            "of_width": round(CHART_WIDTH * (of or 0) / top) if top else 0,
            "y": 28 * i,
        }
        for i, (label, value, of) in enumerate(items)
    ]


def _chart(key: str, items: Sequence[tuple[str, int, int | None]], lang: str) -> list[dict[str, Any]]:
    found = bars(items)
    title = formats.label(key, lang)
    return [{"key": key, "title": title, "bars": found, "height": max(28 * len(found), 28)}] if found else []


def category_chart(counts: Sequence[tuple[str, int, int]], lang: str) -> list[dict[str, Any]]:
    """The chart of cells covered by category, from (category, covered, in scope)."""
    items = [(formats._t(formats.CATEGORIES, c, lang), covered, total) for c, covered, total in counts]
    return _chart("chart_coverage", items, lang)


def charts(f: Figures, lang: str) -> list[dict[str, Any]]:
    """The report's charts: cells covered by category, activities, grades."""
    coverage = [(c, covered, total) for c, (covered, total) in f.cells_by_category.items()]
    activities = [(formats.label(kind, lang), n, None) for kind, n in f.activities.items()]
    grades = [(formats._t(formats.GRADES, g, lang), n, None) for g, n in f.grades.items()]
    return (
        category_chart(coverage, lang)
        + _chart("chart_activities", activities, lang)
        + _chart("chart_grades", grades, lang)
    )


FILTERS = ("directive", "post", "commune", "from", "to", "by", "as_of")


async def _figures(request: Request, ctx: Context, viewer: Viewer) -> tuple[Figures, list[Column], dict[str, str]]:
    """The report the page's filters ask for: the whole period, and its columns when asked side by side."""
    q = request.query_params
    chosen = {k: str(q.get(k, ""))[:80] for k in FILTERS}
    asked: dict[str, Any] = {
        "directive": chosen["directive"] or None,
        "post": chosen["post"] or None,
        "commune": chosen["commune"] or None,
        "start": _day(chosen["from"], "from"),
        "end": _day(chosen["to"], "to"),
        "as_of": as_of_moment(chosen["as_of"]) if chosen["as_of"] else None,
    }
    if chosen["by"]:
        whole, columns = await reports.side_by_side(ctx.services, viewer.actor, chosen["by"], **asked)
        return whole, columns, chosen
    return await reports.report(ctx.services, viewer.actor, **asked), [], chosen


@router.get("/report")
async def report_page(request: Request, ctx: Context, viewer: Viewer) -> Response:
    lang = "en" if viewer.account.language == "en" else "vi"
    ways = [(b, formats.label(f"by_{b}", lang)) for b in (*reports.PERIODS, *reports.UNITS)]
    try:
        figures, columns, chosen = await _figures(request, ctx, viewer)
    except Exception as failure:
        status, _, message = refusal(failure)
        chosen = {k: str(request.query_params.get(k, ""))[:80] for k in FILTERS}
        return render(request, "report.html", viewer, http_status=status, figures=None, rows=[], charts=[],
                      chosen=chosen, error=message, heading=[], query="", columns=[], series=[], ways=ways)  # fmt: skip
    return render(
        request, "report.html", viewer, figures=figures, rows=formats.rows(figures, lang), charts=charts(figures, lang),
        chosen=chosen, error=None, heading=formats.heading(figures, lang), query=request.url.query, columns=columns,
        series=formats.series_rows(columns, lang) if columns else [], ways=ways,
    )  # fmt: skip


async def _download(request: Request, ctx: Context, viewer: Viewer, kind: str) -> Response:
    """The report with the page's filters, as a file of numbers: CSV (a column per period or unit when side by
    side) or an Excel workbook."""
    lang = "en" if viewer.account.language == "en" else "vi"
    figures, columns, _ = await _figures(request, ctx, viewer)
    if kind == "csv":
        text = formats.as_series_csv(columns, lang) if columns else formats.as_number_csv(figures, lang)
        content: str | bytes
        content, media = text, "text/csv; charset=utf-8"
    else:
        content = formats.as_workbook(figures, lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f'attachment; filename="phancong-report.{kind}"'
    return Response(
        content, media_type=media, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )


@router.get("/report.csv")
async def report_csv(request: Request, ctx: Context, viewer: Viewer) -> Response:
    return await _download(request, ctx, viewer, "csv")


@router.get("/report.xlsx")
async def report_workbook(request: Request, ctx: Context, viewer: Viewer) -> Response:
    return await _download(request, ctx, viewer, "xlsx")


@router.get("/history")
async def history_page(request: Request, ctx: Context, viewer: Viewer) -> Response:
    q = request.query_params
    subject_text = str(q.get("subject", "") or "member")[:20]
    subject_id = str(q.get("id", ""))[:260].strip()
    as_of_text = str(q.get("as_of", ""))[:40].strip()
    found, error, status = None, None, 200
    if subject_id:
        try:
            subject = Subject(subject_text)
            moment = as_of_moment(as_of_text) if as_of_text else None
            found = await history.history(ctx.services, viewer.actor, subject, subject_id, moment)
        except ValueError:
            error, status = f"subject: one of {', '.join(s.value for s in Subject)}", 400
        except Exception as failure:
            status, _, error = refusal(failure)
    return render(
        request, "history.html", viewer, http_status=status, found=found, error=error, subject=subject_text,
        subject_id=subject_id, as_of=as_of_text, subjects=[s.value for s in Subject],
    )  # fmt: skip


@router.get("/directory")
async def directory_page(request: Request, ctx: Context, viewer: Viewer) -> Response:
    return await _directory(request, ctx, viewer)


async def _directory(
    request: Request,
    ctx: Context,
    viewer: Viewer,
    *,
    imported: Any = None,
    erased: Any = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    counts = await directory.counts(ctx.services, viewer.actor)
    kind = str(request.query_params.get("kind", "") or "cells")[:20]
    query = str(request.query_params.get("q", ""))[:200]
    found: list[directory.Found] = []
    try:
        found = await directory.browse(ctx.services, viewer.actor, kind, query)
    except Exception as failure:
        status, _, error = refusal(failure)
    return render(
        request, "directory.html", viewer, http_status=status, counts=sorted(counts.items()), kinds=directory.KINDS,
        kind=kind, query=query, found=found, imported=imported, erased=erased, error=error,
    )  # fmt: skip


@router.post("/directory")
async def directory_import(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """HQ makes the stored directory the uploaded file's content (each difference an event, all or nothing)."""
    form = await posted(request, viewer)
    try:
        data, name = await uploaded_file(
            form, "file", noun="directory's file", kinds="YAML or JSON", default="directory.yaml"
        )
        path = Path(name)
        parsed = validate_document(DirectoryFile, parse_document(data, path), path, code="invalid_directory")
        digest = hashlib.sha256(data).hexdigest()
        imported = await directory.import_directory(ctx.services, viewer.actor, parsed, digest, f"web:{path.name}")
    except Exception as failure:
        status, _, message = refusal(failure)
        return await _directory(request, ctx, viewer, error=message, status=status)
    return await _directory(request, ctx, viewer, imported=imported)


@router.post("/directory/erase")
async def household_erase(request: Request, ctx: Context, viewer: Viewer) -> Response:
    """HQ erases a household's sensitive data (its data key destroyed), once the box saying so is ticked."""
    form = await posted(request, viewer)
    try:
        if form.get("confirm") != "yes":
            raise InvalidInputError("tick the box: an erasure cannot be undone")
        household, reason = str(form.get("household") or ""), str(form.get("reason") or "")
        erased = await directory.erase_household(ctx.services, viewer.actor, household, reason)
    except Exception as failure:
        status, _, message = refusal(failure)
        return await _directory(request, ctx, viewer, error=message, status=status)
    return await _directory(request, ctx, viewer, erased=erased)


@router.get("/audit")
async def audit_page(request: Request, viewer: Viewer) -> Response:
    return render(request, "audit.html", viewer, verification=None, sealed=None, error=None)


@router.post("/audit")
async def audit_verify(request: Request, ctx: Context, viewer: Viewer) -> Response:
    await posted(request, viewer)
    try:
        verification = await audit.verify(ctx.services)
        sealed = await audit.seal(ctx.services, viewer.actor)
    except Exception as failure:
        status, _, message = refusal(failure)
        return render(request, "audit.html", viewer, http_status=status, verification=None, sealed=None, error=message)
    return render(request, "audit.html", viewer, verification=verification, sealed=sealed, error=None)


@router.get("/audit/export")
async def audit_export(request: Request, ctx: Context, viewer: Viewer) -> Response:
    code = str(request.query_params.get("directive", ""))[:60]
    work = Path(tempfile.mkdtemp(prefix="phancong-web-export-"))
    into = work / "export.zip"
    try:
        await audit.archive(ctx.services, viewer.actor, code, into)
    except Exception as failure:
        _cleanup(work)
        status, _, message = refusal(failure)
        return render(request, "audit.html", viewer, http_status=status, verification=None, sealed=None, error=message)
    return FileResponse(
        into,
        media_type="application/zip",
        filename="phancong-export.zip",
        background=BackgroundTask(_cleanup, work),
    )


def _cleanup(work: Path) -> None:
    for path in work.iterdir():
        path.unlink()
    work.rmdir()
