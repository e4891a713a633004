"""One settings object, read from ``PHANCONG_*`` environment variables at the entry points only."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of every phancong process (worker, CLI, API, benchmarks).

    With ``database_url`` / ``temporal_address`` unset, phancong runs embedded servers under ``state_dir``.
    """

    model_config = SettingsConfigDict(env_prefix="PHANCONG_", extra="ignore", frozen=True)

    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset: the embedded server under state_dir."
    )
    temporal_address: str | None = Field(
        default=None, description="Temporal frontend host:port; unset: the embedded dev server."
    )
    temporal_namespace: str = "default"
    task_queue: str = "phancong"
    state_dir: Path = Field(default=Path(".phancong"), description="Where embedded servers keep their data.")
    embedded_temporal_port: int = Field(default=7233, ge=1, le=65535)
    embedded_temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    db_pool_min_size: int = Field(default=2, ge=1)
    db_pool_max_size: int = Field(default=10, ge=1)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "console", "json"] = Field(
        default="auto", description="auto: console on a terminal, JSON otherwise."
    )
