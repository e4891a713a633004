"""Secrets from files (``PHANCONG_<NAME>_FILE``), as container secrets are mounted; never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme
from pydantic import ValidationError
from temporalio.service import TLSConfig

from phancong.settings import ConfigurationError, Settings
from tests.cli import clean_env, phancong

pytestmark = pytest.mark.unit
SECRET = "mật-khẩu-trong-tệp"


def test_a_secret_comes_from_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "smtp").write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("PHANCONG_SMTP_PASSWORD_FILE", str(tmp_path / "smtp"))
    found = Settings().smtp_password
    assert found is not None
    assert found.get_secret_value() == SECRET
    assert SECRET not in repr(Settings())


def test_a_secret_named_twice_or_unreadable_is_refused_without_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hook").write_text(SECRET, encoding="utf-8")
    monkeypatch.setenv("PHANCONG_WEBHOOK_SECRET_FILE", str(tmp_path / "hook"))
    monkeypatch.setenv("PHANCONG_WEBHOOK_SECRET", "khác")
    with pytest.raises(ValidationError, match="both set") as both:
        Settings()
    assert SECRET not in str(both.value)
    monkeypatch.delenv("PHANCONG_WEBHOOK_SECRET")
    monkeypatch.setenv("PHANCONG_WEBHOOK_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValidationError, match="cannot read it"):
        Settings()


def test_the_database_url_from_a_file_reaches_the_cli_masked(tmp_path: Path) -> None:
    (tmp_path / "db").write_text(f"postgresql://phancong:{SECRET}@db.example.vn/phancong\n", encoding="utf-8")
    env = clean_env(PHANCONG_DATABASE_URL_FILE=str(tmp_path / "db"), PHANCONG_STATE_DIR=str(tmp_path / "state"))
    shown = phancong("db", "url", env=env)
    assert shown.code == 0, shown.stderr
    assert shown.stdout.strip() == "postgresql://phancong:***@db.example.vn/phancong"


def test_temporal_is_reached_over_mutual_tls_when_configured(tmp_path: Path) -> None:
    authority = trustme.CA()
    issued = authority.issue_cert("temporal.phancong.internal")
    ca, cert, key = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    authority.cert_pem.write_to_path(str(ca))
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    assert Settings().temporal_tls() is False
    tls = Settings(
        temporal_tls_ca_file=ca, temporal_tls_cert_file=cert, temporal_tls_key_file=key,
        temporal_tls_server_name="temporal.phancong.internal",
    ).temporal_tls()  # fmt: skip
    assert isinstance(tls, TLSConfig)
    assert (tls.server_root_ca_cert, tls.client_cert, tls.client_private_key, tls.domain) == (
        ca.read_bytes(), cert.read_bytes(), key.read_bytes(), "temporal.phancong.internal",
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="go together"):
        Settings(temporal_tls_cert_file=cert).temporal_tls()


def test_households_master_keys_come_from_their_file_or_with_the_embedded_database_from_the_state_dir(
    tmp_path: Path,
) -> None:
    embedded = Settings(database_url=None, state_dir=tmp_path / "state", master_keys_file=None)
    made = embedded.master_keys()
    path = tmp_path / "state" / "master.keys"
    assert path.stat().st_mode & 0o777 == 0o600  # readable by its owner only, outside the database
    assert embedded.master_keys().current == made.current  # made once, then kept
    elsewhere = Settings(database_url="postgresql://db.example/phancong", master_keys_file=None)
    with pytest.raises(ConfigurationError, match="PHANCONG_MASTER_KEYS_FILE"):
        elsewhere.master_keys()
    named = Settings(database_url="postgresql://db.example/phancong", master_keys_file=path)
    assert named.master_keys().current == made.current
