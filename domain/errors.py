"""Why a command is refused, with a stable code (the CLI and the API show it; scripts match on it)."""

from __future__ import annotations

import re

from pydantic import ValidationError

# Characters that would break a one-line message (or a terminal): shown as escapes instead.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks, control characters and non-characters written as escapes (``\\n``)."""
    return _UNPRINTABLE.sub(lambda found: found[0].encode("unicode_escape", "backslashreplace").decode("ascii"), text)


class PhancongError(Exception):
    """A failure a user can cause or fix; the CLI prints ``error[code]: message`` and exits non-zero.

    ``code`` is stable (scripts and the API match on it); the message may be reworded.
    """

    code: str = "phancong_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(one_line(message))
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class NotFoundError(PhancongError):
    """No such directive, member, cell, assignment or notification (or none the actor may see)."""

    code = "not_found"


class NotAllowedError(PhancongError):
    """The actor's role may not read this (a commune asking for another commune's history…)."""

    code = "forbidden"


class CommandRejectedError(PhancongError):
    code = "command_rejected"


class ForbiddenError(CommandRejectedError):
    """The actor may not do this for this assignment (another post's member, another commune's cell…)."""

    code = "forbidden"


class WrongStateError(CommandRejectedError):
    code = "wrong_state"


class InvalidInputError(CommandRejectedError):
    code = "invalid_input"


class DateOutOfRangeError(CommandRejectedError):
    code = "date_out_of_range"


class UnknownReferenceError(CommandRejectedError):
    """A cell, household or period the assignment does not know."""

    code = "unknown_reference"


class AlreadyDoneError(CommandRejectedError):
    """Recorded, submitted or graded before: a second one would contradict the first."""

    code = "already_done"


_BY_CODE: dict[str, type[CommandRejectedError]] = {
    cls.code: cls
    for cls in (
        ForbiddenError,
        WrongStateError,
        InvalidInputError,
        DateOutOfRangeError,
        UnknownReferenceError,
        AlreadyDoneError,
    )
}


def rejection(code: str, message: str) -> CommandRejectedError:
    """The refusal a workflow reported (by its code), as the error class callers can catch."""
    cls = _BY_CODE.get(code, CommandRejectedError)
    return cls(message, code=code)


def invalid_input(error: ValidationError) -> InvalidInputError:
    """A model's refusal of an input, every problem on one line: ``field: why; other: why``."""
    problems = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        why = problem["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {why}" if where else why)
    return InvalidInputError("; ".join(problems))
