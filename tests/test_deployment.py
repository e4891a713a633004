"""docker-compose.yml and the Dockerfile describe a stack that can start (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from phancong.settings import Settings

ROOT = Path(__file__).parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def test_every_service_runs_a_pinned_image_or_this_repository() -> None:
    for name, service in SERVICES.items():
        image = service.get("image", "")
        assert image or "build" in service, name
        assert ":" in image, f"{name}: pin the image ({image!r})"
        assert not image.endswith(":latest"), f"{name}: pin the image ({image!r})"


def test_dependencies_name_services_that_exist_and_wait_on_something_real() -> None:
    conditions = {"service_healthy", "service_completed_successfully", "service_started"}
    for name, service in SERVICES.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert rule["condition"] in conditions
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{dependency} has no healthcheck"


def test_the_phancong_services_are_configured_only_with_settings_that_exist() -> None:
    fields = {f"PHANCONG_{name.upper()}" for name in Settings.model_fields}
    for name, service in SERVICES.items():
        if not name.startswith("phancong"):
            continue
        variables = set((service.get("environment") or {}).keys())
        assert variables, name
        assert variables <= fields, f"{name}: unknown {variables - fields}"
        assert service["environment"]["PHANCONG_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "phancong_app" in SERVICES["phancong-worker"]["environment"]["PHANCONG_DATABASE_URL"]
    assert "phancong_app" in SERVICES["phancong-api"]["environment"]["PHANCONG_DATABASE_URL"]
    assert "phancong_owner" in SERVICES["phancong-migrate"]["environment"]["PHANCONG_DATABASE_URL"]


def test_mounted_files_and_copied_sources_exist() -> None:
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in {"tests", "bench"}}
    copied = set(re.findall(r"^COPY (\w+) \w+$", dockerfile, flags=re.MULTILINE))
    assert packages <= copied, f"the image lacks {packages - copied}"


def test_no_password_has_a_default_and_nothing_unauthenticated_is_published() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    defaults = re.findall(r"\$\{(\w*(?:PASSWORD|SECRET|PWD)\w*):-", text)
    assert defaults == [] or set(defaults) <= {"PHANCONG_SMTP_PASSWORD", "PHANCONG_WEBHOOK_SECRET"}
    for name in ("POSTGRES_PASSWORD", "TEMPORAL_DB_PASSWORD", "PHANCONG_OWNER_PASSWORD", "PHANCONG_APP_PASSWORD"):
        assert f"${{{name}:?" in text, f"{name} must be required"
    init = (ROOT / "deploy" / "postgres" / "init.sql").read_text(encoding="utf-8")
    assert "PASSWORD '" not in init  # the passwords come from the environment (init.sh)
    published = {name: service.get("ports", []) for name, service in SERVICES.items()}
    assert published["temporal"] == []  # Temporal's frontend has no authentication
    assert all(port.startswith("127.0.0.1:") for port in published["temporal-ui"])
    api = SERVICES["phancong-api"]
    assert api["command"] == ["serve"]
    assert "healthcheck" in api
    assert api["environment"]["PHANCONG_TLS_CERTIFICATE"].startswith("/run/secrets/")
    for name in ("phancong-worker", "phancong-api", "phancong-cli"):  # Temporal sees ciphertext only
        service = SERVICES[name]
        assert service["environment"]["PHANCONG_PAYLOAD_KEYS_FILE"] == "/run/secrets/payload_keys", name
        assert "payload_keys" in service["secrets"], name
        # households' data keys are wrapped by master keys that only the secret holds, never the database
        assert service["environment"]["PHANCONG_MASTER_KEYS_FILE"] == "/run/secrets/master_keys", name
        assert "master_keys" in service["secrets"], name
