"""The addresses the API gives out (kept apart from the routes, so that the CLI prints them without loading the
web framework)."""

from __future__ import annotations

PREFIX = "/api/v1"


def enrolment_url(base: str, token: str) -> str:
    """Where a person enrols, in a browser: the page shows whose link it is and the second factor's QR code, and
    sets the password."""
    return f"{base}/enrol/{token}"


def enrolment_api_url(base: str, token: str) -> str:
    """The same enrolment over the API: GET shows whose link it is and the second factor's key; POST sets the
    password."""
    return f"{base}{PREFIX}/enrolment/{token}"
