"""The error every user-facing failure derives from: a stable code and a one-line message."""

from __future__ import annotations

import re

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
