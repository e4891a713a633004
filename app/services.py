"""The ports a use case may use, bundled: the composition root of each interface builds one.

Only what an interface needs is connected: the CLI's read commands never reach Temporal, whose adapters connect on
first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.ports import (
    Assignments,
    Audit,
    Clock,
    Credentials,
    Directives,
    Directory,
    EventLog,
    HouseholdVault,
    OneTimeCodes,
    Outbox,
    PasswordHasher,
    ReadModels,
    Reports,
)
from domain.calendar import local_date


@dataclass
class Services:
    log: EventLog
    directory: Directory
    read: ReadModels
    assignments: Assignments
    directives: Directives
    clock: Clock
    reports: Reports | None = None
    outbox: Outbox | None = None
    audit: Audit | None = None
    credentials: Credentials | None = None
    hasher: PasswordHasher | None = None
    codes: OneTimeCodes | None = None
    vault: HouseholdVault | None = None

    @property
    def today(self) -> date:
        """Today in Viet Nam, by the clock."""
        return local_date(self.clock.now())
