"""Which servers phancong talks to: the configured ones, or the embedded ones (started on demand)."""

from __future__ import annotations

from dataclasses import dataclass, field

from phancong.embedded import EmbeddedPostgres, EmbeddedServiceError, EmbeddedTemporal, state_lock
from phancong.settings import Settings
from workflows import search_attributes


class ServiceNotRunningError(EmbeddedServiceError):
    code = "service_not_running"


@dataclass
class Endpoints:
    database_url: str
    temporal_address: str
    # Embedded services this call started (the caller that started them may stop them).
    started: list[str] = field(default_factory=list)


class Stack:
    """Resolves the database and Temporal endpoints from settings, starting embedded servers if needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = EmbeddedPostgres(settings.state_dir)
        self.temporal = EmbeddedTemporal(
            settings.state_dir,
            port=settings.embedded_temporal_port,
            ui_port=settings.embedded_temporal_ui_port,
            search_attributes=search_attributes.DEFINITIONS,
        )

    def database_url(self, *, start: bool) -> tuple[str, bool]:
        """The database URL in use, and whether this call started the embedded server."""
        if self.settings.database_url:
            return self.settings.database_url, False
        running = self.postgres.url()
        if running is not None:
            return running, False
        if not start:
            raise ServiceNotRunningError("the embedded PostgreSQL is not running: `phancong up` starts it")
        with state_lock(self.settings.state_dir):
            running = self.postgres.url()
            return (running, False) if running is not None else (self.postgres.start(), True)

    def temporal_address(self, *, start: bool) -> tuple[str, bool]:
        """The Temporal address in use, and whether this call started the embedded dev server."""
        if self.settings.temporal_address:
            return self.settings.temporal_address, False
        running = self.temporal.running_address()
        if running is not None:
            return running, False
        if not start:
            raise ServiceNotRunningError("the embedded Temporal server is not running: `phancong up` starts it")
        with state_lock(self.settings.state_dir):
            running = self.temporal.running_address()
            return (running, False) if running is not None else (self.temporal.start(), True)

    def up(self) -> Endpoints:
        """Make both servers available; configured servers are used as they are, embedded ones started."""
        database_url, db_started = self.database_url(start=True)
        temporal_address, temporal_started = self.temporal_address(start=True)
        started = [name for name, did in (("postgres", db_started), ("temporal", temporal_started)) if did]
        return Endpoints(database_url, temporal_address, started)

    def down(self, only: list[str] | None = None) -> list[str]:
        """Stop the embedded servers (or only those named); returns the names of those that were running."""
        stopped = []
        with state_lock(self.settings.state_dir):
            if (only is None or "temporal" in only) and self.temporal.stop():
                stopped.append("temporal")
            if (only is None or "postgres" in only) and self.postgres.stop():
                stopped.append("postgres")
        return stopped
