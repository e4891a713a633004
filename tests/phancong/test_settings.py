"""Secrets from files (``PHANCONG_<NAME>_FILE``), as container secrets are mounted; never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from phancong.settings import Settings
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
