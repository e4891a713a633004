"""The addresses the API gives out (kept apart from the routes, so that the CLI prints them without loading the
web framework)."""

from __future__ import annotations

PREFIX = "/api/v1"


def enrolment_url(base: str, token: str) -> str:
    """Where a person enrols: GET shows whose link it is and the second factor's key; POST sets the password."""
    return f"{base}{PREFIX}/enrolment/{token}"
