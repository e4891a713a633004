"""TOTP (RFC 6238: 6 digits, 30-second steps, SHA-1, as every authenticator app reads it), with one step of
clock drift either way."""

from __future__ import annotations

from datetime import datetime

import pyotp

ISSUER = "phancong"
DRIFT_STEPS = 1


class Totp:
    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, login: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)

    def step_of(self, secret: str, code: str, now: datetime) -> int | None:
        """The time step ``code`` belongs to, within the drift allowed, or None."""
        code = code.strip().replace(" ", "")
        if not secret or len(code) != 6 or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret)
        step = totp.timecode(now)
        for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
            if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
                return candidate
        return None
