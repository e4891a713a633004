"""Why a command is refused, with a stable code (the CLI and the API show it; scripts match on it)."""

from __future__ import annotations

from phancong.errors import PhancongError


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
