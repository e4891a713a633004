"""One settings object, read from ``PHANCONG_*`` environment variables at the entry points only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import AwareDatetime, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.bounds import MAX_FILE_BYTES
from domain.errors import PhancongError
from infra.master_keys import FileMasterKeys, ensure_file, from_file
from infra.payload_keys import load

if TYPE_CHECKING:
    from temporalio.converter import DataConverter
    from temporalio.service import TLSConfig

# Settings that may be read from a file named by PHANCONG_<NAME>_FILE.
SECRET_FIELDS = ("database_url", "smtp_password", "webhook_secret")


class ConfigurationError(PhancongError):
    code = "invalid_configuration"


class Settings(BaseSettings):
    """Configuration of every phancong process (worker, CLI, API, benchmarks).

    With ``database_url`` / ``temporal_address`` unset, phancong runs embedded servers under ``state_dir``.
    """

    model_config = SettingsConfigDict(env_prefix="PHANCONG_", extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: Any) -> Any:
        """A secret may come from a file (``PHANCONG_SMTP_PASSWORD_FILE=/run/secrets/smtp``, as container secrets
        are mounted) instead of the environment; naming both is refused. The file's content is never printed."""
        if not isinstance(data, dict):
            return data
        for name in SECRET_FIELDS:
            path = os.environ.get(f"PHANCONG_{name.upper()}_FILE")
            if not path:
                continue
            if data.get(name) is not None:
                raise ValueError(f"PHANCONG_{name.upper()} and PHANCONG_{name.upper()}_FILE are both set; set one")
            try:
                data = {**data, name: Path(path).read_text(encoding="utf-8").rstrip("\r\n")}
            except (OSError, UnicodeDecodeError) as failure:
                why = getattr(failure, "strerror", None) or type(failure).__name__
                raise ValueError(f"PHANCONG_{name.upper()}_FILE {path}: cannot read it ({why})") from None
        return data

    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset: the embedded server under state_dir."
    )
    temporal_address: str | None = Field(
        default=None, description="Temporal frontend host:port; unset: the embedded dev server."
    )
    temporal_namespace: str = "default"
    temporal_tls_ca_file: Path | None = Field(
        default=None, description="PEM CA that signed the Temporal frontend's certificate: connect over TLS."
    )
    temporal_tls_cert_file: Path | None = Field(default=None, description="PEM client certificate (mTLS).")
    temporal_tls_key_file: Path | None = Field(default=None, description="The client certificate's PEM key (mTLS).")
    temporal_tls_server_name: str | None = Field(
        default=None, max_length=253, description="The name on the frontend's certificate, if not its address."
    )
    task_queue: str = "phancong"
    state_dir: Path = Field(default=Path(".phancong"), description="Where embedded servers keep their data.")
    embedded_temporal_port: int = Field(default=7233, ge=1, le=65535)
    embedded_temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    db_pool_min_size: int = Field(default=2, ge=1)
    db_pool_max_size: int = Field(default=10, ge=1)
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mail reminders; unset: no e-mail.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "phancong <phancong@localhost>"
    smtp_ca_file: str | None = Field(default=None, description="CA bundle to trust for STARTTLS (default: system).")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 key signing webhook bodies.")
    payload_keys_file: Path | None = Field(
        default=None,
        description="Keys encrypting Temporal payloads (`phancong keys add FILE`); unset: payloads are not encrypted.",
    )
    master_keys_file: Path | None = Field(
        default=None,
        description=(
            "Master keys wrapping households' data keys (`phancong keys add FILE`; rotate, then `phancong keys "
            "rewrap`); unset: STATE_DIR/master.keys with the embedded database, refused with any other database."
        ),
    )
    codec_cors_origin: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+$",
        description="The Temporal Web UI's origin allowed to call the codec endpoint (/api/v1/codec).",
    )
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_backoff_seconds: int = Field(default=30, ge=1, description="First retry delay; doubles, at most 1 h.")
    delivery_timeout_seconds: int = Field(
        default=90, ge=2, le=3600, description="A send not answered by then fails its attempt (and is retried)."
    )
    digest_time: str = Field(
        default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Daily digest, HH:MM Viet Nam time."
    )
    seal_interval_seconds: int = Field(
        default=300, ge=1, le=86_400, description="How often the worker seals the global log (audit)."
    )
    max_file_bytes: int = Field(
        default=MAX_FILE_BYTES, ge=1024, le=1024**3, description="The largest directory or directive file read."
    )
    now: AwareDatetime | None = Field(
        default=None,
        description="The instant commands take as now (ISO 8601 with its offset); unset: the system clock.",
    )
    api_host: str = Field(default="127.0.0.1", description="Where `phancong serve` listens.")
    api_port: int = Field(default=8000, ge=1, le=65535)
    tls_certificate: Path | None = Field(default=None, description="PEM certificate: the API and web app over HTTPS.")
    tls_key: Path | None = Field(default=None, description="The certificate's PEM private key.")
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="The address people reach the service at (enrolment links name it); unset: from host and port.",
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60, description="A session ends after this idle.")
    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="A session ends after this in any case.")
    sign_in_max_failures: int = Field(
        default=10, ge=3, le=1000, description="Failed sign-ins in a row that lock an account (HQ unlocks)."
    )
    sign_in_max_client_failures: int = Field(
        default=50, ge=3, le=100_000, description="Failed sign-ins from one address that refuse it for 15 minutes."
    )
    argon2_time_cost: int = Field(default=3, ge=1, le=20)
    argon2_memory_kib: int = Field(default=65_536, ge=8_192, le=4_194_304)
    argon2_parallelism: int = Field(default=4, ge=1, le=16)
    api_max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, le=1024**3, description="The largest request body (files: max_file_bytes)."
    )
    api_requests_per_minute: int = Field(
        default=600, ge=1, le=1_000_000, description="Requests one account (or one address, signed out) may make."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "console", "json"] = Field(
        default="auto", description="auto: console on a terminal, JSON otherwise."
    )

    @model_validator(mode="after")
    def _certificate_with_key(self) -> Self:
        if (self.tls_certificate is None) != (self.tls_key is None):
            raise ValueError("PHANCONG_TLS_CERTIFICATE and PHANCONG_TLS_KEY go together")
        return self

    @property
    def served_over_tls(self) -> bool:
        return self.tls_certificate is not None or (self.public_url or "").startswith("https://")

    def temporal_tls(self) -> TLSConfig | bool:
        """How phancong reaches Temporal: over TLS (with a client certificate: mutual TLS) when configured."""
        from temporalio.service import TLSConfig  # noqa: PLC0415

        if not (self.temporal_tls_ca_file or self.temporal_tls_cert_file):
            return False
        if bool(self.temporal_tls_cert_file) != bool(self.temporal_tls_key_file):
            raise ConfigurationError("PHANCONG_TEMPORAL_TLS_CERT_FILE and _KEY_FILE go together")

        def read(path: Path | None) -> bytes | None:
            if path is None:
                return None
            try:
                return path.read_bytes()
            except OSError as failure:
                raise ConfigurationError(f"{path}: cannot read it ({failure.strerror or failure})") from None

        return TLSConfig(
            server_root_ca_cert=read(self.temporal_tls_ca_file),
            client_cert=read(self.temporal_tls_cert_file),
            client_private_key=read(self.temporal_tls_key_file),
            domain=self.temporal_tls_server_name,
        )

    def master_keys(self) -> FileMasterKeys:
        """The master keys of this deployment: its key file; with the embedded database and none named, one made
        under ``state_dir`` (outside the database, like any key). Never a key kept in the database itself."""
        if self.master_keys_file is not None:
            return from_file(self.master_keys_file)
        if self.database_url is None:
            return ensure_file(self.state_dir / "master.keys")
        raise ConfigurationError(
            "set PHANCONG_MASTER_KEYS_FILE: households' sensitive fields are encrypted with keys kept outside the "
            "database (`phancong keys add FILE` makes the file)"
        )

    def data_converter(self) -> DataConverter:
        """How this deployment's values travel through Temporal (encrypted when it has payload keys)."""
        from phancong.converter import converter_for  # noqa: PLC0415 (Temporal loads only where it is used)

        return converter_for(load(self.payload_keys_file) if self.payload_keys_file else None)

    @property
    def base_url(self) -> str:
        """The address people reach the API and web app at."""
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls_certificate is not None else "http"
        return f"{scheme}://{self.api_host}:{self.api_port}"
