"""What phancong accepts: the bounds and normal form of every id, text, amount and date, in one place.

Every value people give phancong enters through these types (the command models, the directory and directive
files, the arguments of the CLI and the API) and is normalized before anything is written:

- Unicode NFC: Vietnamese typed on some keyboards, or saved by some editors, arrives decomposed (NFD), and
  ``ĐV-HỮU`` would otherwise be two different ids that look the same;
- surrounding spaces trimmed; no control characters (PostgreSQL cannot store a NUL, and the others garble
  records and terminals) and no unpaired surrogates (bytes that were not UTF-8); line breaks and tabs only in
  free text;
- a length, an amount, a count and a date range that every later step handles: the workflows' calendar
  arithmetic, the read models' columns, a terminal, a printed report.

The window of business dates (2000 to 2100) holds the programme's past records (it began in 2019) and any term
a directive may have; a term lasts at most ten years.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_TERM_MONTHS = 120
MAX_VND = 1_000_000_000_000  # 1.000 tỷ đồng in one activity: far above any real one, far inside every column
MAX_QUANTITY = 100_000  # sessions, visits, workdays or people in one activity
MAX_HOUSEHOLDS = 50  # in one group or one activity (the policy allows at most 50 per member)
MAX_NOMINATIONS = 1_000  # members in one nomination
MAX_SCOPE_ENTRIES = 20_000  # cells, communes, posts or households named in one directive file or amendment
MAX_FILE_BYTES = 10 * 1024 * 1024  # a directory or directive file (PHANCONG_MAX_FILE_BYTES changes it)
MAX_FILE_DEPTH = 20  # nesting of a file's YAML or JSON
MAX_FILE_VALUES = 1_000_000  # values in a file, aliases counted each time they are used
ID_LENGTH = 80
CODE_LENGTH = 60
ASSIGNMENT_ID_LENGTH = 3 * ID_LENGTH + 10
NAME_LENGTH = 200
TITLE_LENGTH = 500
TEXT_LENGTH = 4_000
URL_LENGTH = 2_000

_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def nfc(value: object) -> object:
    """Strings in NFC with surrounding white space removed; anything else as it is (its type decides)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def _character(found: str) -> str:
    code = ord(found)
    kind = "not a character" if 0xD800 <= code <= 0xDFFF else "a space" if found.isspace() else "a control character"
    return f"U+{code:04X} ({kind})"


def _refuse(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        found = pattern.search(value)
        if found is not None:
            raise ValueError(f"{what} may not contain {_character(found[0])}")
        return value

    return AfterValidator(check)


_NFC = BeforeValidator(nfc)
_ONE_LINE = _refuse(_LINE_FORBIDDEN, "one line of text")
_MULTI_LINE = _refuse(_TEXT_FORBIDDEN, "text")
_ID_FORBIDDEN = re.compile(r"[\s:|\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_COMPOUND_ID_FORBIDDEN = re.compile(r"[\s|\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _id_check(pattern: re.Pattern[str], allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        found = pattern.search(value)
        if found is not None:
            shown = repr(found[0]) if found[0].isprintable() and not found[0].isspace() else _character(found[0])
            raise ValueError(f"an id {allowed}, not {shown}")
        return value

    return AfterValidator(check)


# An id of the directory (commune, cell, post, member, household): no spaces, ':' or '|', which phancong's own
# compound ids (``directive:member:cell``, ``role:id``) and its exports use as separators.
EntryId = Annotated[
    str,
    Field(min_length=1, max_length=ID_LENGTH),
    _NFC,
    _id_check(_ID_FORBIDDEN, "has no spaces, ':', '|' or control characters"),
]
# A directive's code, e.g. 681-CT/ĐU or 1625-NQ/ĐUBP.
DirectiveCode = Annotated[
    str,
    Field(min_length=1, max_length=CODE_LENGTH),
    _NFC,
    _id_check(_ID_FORBIDDEN, "has no spaces, ':', '|' or control characters"),
]
# An assignment's id, ``directive:member:target`` (``#n`` when the same member returns to the same target).
AssignmentId = Annotated[
    str,
    Field(min_length=5, max_length=ASSIGNMENT_ID_LENGTH),
    _NFC,
    _id_check(_COMPOUND_ID_FORBIDDEN, "has no spaces, '|' or control characters"),
]
# A review period's label: 2027-Q1, 2027-H1, 2027, follow-up-1.
PeriodLabel = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$"), _NFC]
# A name or a short value on one line: a person, a unit, a rank, a resolution, what was given in kind.
Line = Annotated[str, Field(max_length=NAME_LENGTH), _NFC, _ONE_LINE]
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH), _NFC, _ONE_LINE]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_LENGTH), _NFC, _ONE_LINE]
# Free text (a reason, a note, an appraisal): several lines allowed.
Text = Annotated[str, Field(max_length=TEXT_LENGTH), _NFC, _MULTI_LINE]
RequiredText = Annotated[str, Field(min_length=1, max_length=TEXT_LENGTH), _NFC, _MULTI_LINE]
Url = Annotated[str, Field(max_length=URL_LENGTH, pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$"), _NFC]
Vnd = Annotated[int, Field(ge=0, le=MAX_VND, description="In đồng, at most 1.000.000.000.000.")]
Quantity = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
BusinessDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


def term_checked(start: date, end: date) -> tuple[date, date]:
    """A directive's term, (first day, last day): after it starts, within the window, at most ten years."""
    if end <= start:
        raise ValueError(f"the term must end after it starts ({start.isoformat()})")
    if start < EARLIEST_DATE or end > LATEST_DATE:
        raise ValueError(f"a term lies within {EARLIEST_DATE.isoformat()} .. {LATEST_DATE.isoformat()}")
    if (end.year - start.year) * 12 + end.month - start.month > MAX_TERM_MONTHS:
        raise ValueError(f"a term lasts at most {MAX_TERM_MONTHS // 12} years")
    return start, end


_ENTRY_ID: TypeAdapter[str] = TypeAdapter(EntryId)
_DIRECTIVE_CODE: TypeAdapter[str] = TypeAdapter(DirectiveCode)
_ASSIGNMENT_ID: TypeAdapter[str] = TypeAdapter(AssignmentId)
_BUSINESS_DATE: TypeAdapter[date] = TypeAdapter(BusinessDate)
_REQUIRED_TEXT: TypeAdapter[str] = TypeAdapter(RequiredText)


class OutOfBoundsError(ValueError):
    """A value phancong does not accept, and why (in one line)."""


def _checked(adapter: TypeAdapter[str], value: str, what: str) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise OutOfBoundsError(f"{what} {value!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None


def entry_id(value: str, what: str = "id") -> str:
    """A directory id as given, in its normal form, or OutOfBoundsError."""
    return _checked(_ENTRY_ID, value, what)


def required_text(value: str, what: str = "text") -> str:
    """Text that must be given (a reason), in its normal form, or OutOfBoundsError."""
    return _checked(_REQUIRED_TEXT, value, what)


def directive_code(value: str, what: str = "directive") -> str:
    return _checked(_DIRECTIVE_CODE, value, what)


def assignment_id(value: str, what: str = "assignment") -> str:
    return _checked(_ASSIGNMENT_ID, value, what)


def business_date(value: date, what: str = "date") -> date:
    try:
        return _BUSINESS_DATE.validate_python(value)
    except ValidationError:
        raise OutOfBoundsError(
            f"{what} {value.isoformat()}: outside {EARLIEST_DATE.isoformat()} .. {LATEST_DATE.isoformat()}"
        ) from None
