"""What a password must be (NIST SP 800-63B, "Memorized secrets"): long enough, not a known one, nothing else.

- At least 15 characters when the password is the only factor, at least 8 beside a second factor (TOTP);
  at most 256 (any longer is refused as a mistake, not truncated).
- Every character allowed, spaces included; the password is taken in Unicode NFKC, so the same words typed on
  two keyboards are the same password; no rules on its composition (no "one digit, one symbol").
- Refused: a password on a list of the most common ones (``blocked``: zxcvbn's 30,000), one made of a single repeated
  character, one that holds the person's login, and one that is (nearly) their name or phancong's own names
  (context words).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable

MIN_LENGTH = 15
MIN_LENGTH_WITH_SECOND_FACTOR = 8
MAX_LENGTH = 256
CONTEXT_WORDS = ("phancong", "phân công", "bienphong", "biên phòng", "bodoi", "bộ đội", "dangvien", "đảng viên")


def normal(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _squashed(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if not c.isspace())


def problem(
    password: str, *, second_factor: bool, blocked: Collection[str], login: str = "", context: Iterable[str] = ()
) -> str | None:
    """Why ``password`` is refused, or None."""
    text = normal(password)
    least = MIN_LENGTH_WITH_SECOND_FACTOR if second_factor else MIN_LENGTH
    if len(text) < least:
        beside = " beside a second factor" if second_factor else " (8 with a second factor)"
        return f"a password has at least {least} characters{beside}; a few words make a good one"
    if len(text) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if any(unicodedata.category(c) == "Cs" for c in text):
        return "a password is text (it held bytes that were not UTF-8)"
    squashed = _squashed(text)
    if len(set(squashed)) <= 1:
        return "a password of one repeated character is guessed at once"
    if text.casefold() in blocked or squashed in blocked:
        return "this password is on the list of the most common ones; choose another"
    if len(login) >= 3 and _squashed(login) in squashed:
        return "a password may not hold your login"
    words = [_squashed(w) for w in (*context, *CONTEXT_WORDS) if len(_squashed(w)) >= 4]
    if any(w in squashed and len(squashed) - len(w) < 4 for w in words):
        return "a password may not be (nearly) your name or phancong's own names"
    return None
