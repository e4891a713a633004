"""Reading a past directive's record from a province's spreadsheet: CSV (UTF-8, a header row) or Excel (.xlsx, its
first sheet, a header row), one row per record (``directives.model.PastRecord``). The whole file is checked before
anything is done with it: every problem is named with its row, and one bad row refuses the file."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from directives.model import MAX_RECORDS, PastRecord
from infra.files import DEFAULT_LIMITS, DocumentError, FileLimits, read_bytes

COLUMNS = tuple(name for name in PastRecord.model_fields if name != "row")
MAX_PROBLEMS = 20


def load_records(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> tuple[list[PastRecord], str]:
    """The file's records and its SHA-256, or one DocumentError (``invalid_records``) naming every problem (the
    first twenty) with its row."""
    data = read_bytes(path, limits)
    return parse_records(data, path), hashlib.sha256(data).hexdigest()


def parse_records(data: bytes, path: Path) -> list[PastRecord]:
    rows = _xlsx_rows(data, path) if path.suffix.lower() == ".xlsx" else _csv_rows(data, path)
    if not rows:
        raise DocumentError(f"{path.name}: no header row", code="invalid_records")
    header = [str(h or "").strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown or "record" not in header or "member" not in header or "date" not in header:
        raise DocumentError(
            f"{path.name}: the header row holds {', '.join(COLUMNS)} (record, member and date at least)"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            code="invalid_records",
        )
    if len(rows) - 1 > MAX_RECORDS:
        raise DocumentError(f"{path.name}: at most {MAX_RECORDS:,} records", code="invalid_records")
    records: list[PastRecord] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        values = {name: _value(name, cell) for name, cell in zip(header, row, strict=False) if name}
        if not any(v not in (None, "") for v in values.values()):
            continue  # an empty row
        try:
            records.append(PastRecord.model_validate({"row": number, **_cleaned(values)}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            problems.append(f"row {number} {where}: {first['msg'].removeprefix('Value error, ')}")
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise DocumentError(f"{path.name}: " + "; ".join(problems), code="invalid_records")
    if not records:
        raise DocumentError(f"{path.name}: no record", code="invalid_records")
    return records


def _csv_rows(data: bytes, path: Path) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(
            f"{path.name}: not UTF-8 text (save the sheet as CSV UTF-8)", code="invalid_records"
        ) from None
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _xlsx_rows(data: bytes, path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # noqa: PLC0415 (only for Excel files)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as failure:  # openpyxl raises many kinds for a file that is no workbook
        raise DocumentError(
            f"{path.name}: not an Excel workbook ({type(failure).__name__})", code="invalid_records"
        ) from None
    sheet = book.worksheets[0]
    rows = [list(r) for _, r in zip(range(MAX_RECORDS + 2), sheet.iter_rows(values_only=True), strict=False)]
    book.close()
    return rows


TEXT_COLUMNS = frozenset({"record", "member", "cell", "period", "text", "kind", "attendance", "grade", "end_reason"})


def _value(name: str, cell: Any) -> Any:
    if name in TEXT_COLUMNS and isinstance(cell, int | float):
        return str(int(cell)) if float(cell).is_integer() else str(cell)  # a period 2019 typed as a number
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        cell = cell.strip()
        if name == "households":
            return [h.strip() for h in cell.replace(",", ";").split(";") if h.strip()]
    return cell


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """Empty cells are absent (their defaults apply)."""
    return {k: v for k, v in values.items() if v not in (None, "", [])}
