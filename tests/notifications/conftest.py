"""Delivery against real receivers: a worker configured for e-mail and webhooks, a directory that uses both."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

import worker
from events import EventStore
from infra.postgres import Pool
from phancong.composition import import_directory
from phancong.settings import Settings
from tests.notifications.servers import (
    SMTP_LOGIN,
    SMTP_PASSWORD,
    SmtpServer,
    WebhookServer,
    smtp_server,
    webhook_server,
)
from tests.workflows.driver import HQ, Harness

SECRET = "khoa-bi-mat-ky-webhook"
COMMUNE_EMAIL = "vanphong@tiemtom.example.vn"
CELL_EMAIL = "chibo.ap1@tiemtom.example.vn"
HQ_EMAIL = "phong.chinhtri@bdbp.example.vn"


def directory_of(webhook: WebhookServer) -> dict[str, Any]:
    """The driver's commune, cells, post and members, with a contact for each office and two HQ recipients."""
    return {
        "province": "Bến Tre",
        "hq": [
            {"id": "HQ-TRUC-BAN", "name": "Trực ban Bộ Chỉ huy", "contact": {"webhook": f"{webhook.url}/hq"}},
            {
                "id": "HQ-CHINH-TRI",
                "name": "Phòng Chính trị",
                "contact": {"email": HQ_EMAIL, "language": "en"},
            },
        ],
        "communes": [{"id": "XA-TIEM-TOM", "name": "Thị trấn Tiệm Tôm", "contact": {"email": COMMUNE_EMAIL}}],
        "cells": [
            {
                "id": "CB-AP-1",
                "name": "Chi bộ ấp 1",
                "commune": "XA-TIEM-TOM",
                "meeting_day": 15,
                "contact": {"email": CELL_EMAIL},
            },
            {"id": "CB-AP-2", "name": "Chi bộ ấp 2", "commune": "XA-TIEM-TOM", "meeting_day": 20},
        ],
        "posts": [
            {
                "id": "DBP-HAM-LUONG",
                "name": "Đồn Biên phòng Hàm Luông",
                "communes": ["XA-TIEM-TOM"],
                "contact": {"webhook": f"{webhook.url}/post", "language": "en"},
            }
        ],
        "members": [
            {"id": "DV-001", "name": "Nguyễn Văn Một", "post": "DBP-HAM-LUONG", "rank": "Đại úy"},
            {"id": "DV-002", "name": "Trần Văn Hai", "post": "DBP-HAM-LUONG", "rank": "Thượng úy"},
        ],
    }


def delivery_settings(smtp: SmtpServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "localhost",
        "smtp_port": smtp.port,
        "smtp_starttls": True,
        "smtp_username": SMTP_LOGIN,
        "smtp_password": SecretStr(SMTP_PASSWORD),
        "smtp_from": "phancong <phancong@bdbp.example.vn>",
        "smtp_ca_file": str(smtp.ca_file),
        "webhook_secret": SecretStr(SECRET),
        "delivery_max_attempts": 4,
        "delivery_backoff_seconds": 30,
    }
    return Settings(**(values | overrides))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def import_contacts(harness: Harness, webhook: WebhookServer, path: Path) -> None:
    await import_directory(
        harness.pool, harness.store, write_yaml(path, directory_of(webhook)), HQ, await harness.now()
    )


@dataclass
class Receivers:
    harness: Harness
    smtp: SmtpServer
    webhook: WebhookServer


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    with webhook_server() as server:
        yield server


@pytest.fixture
async def receivers(
    env: WorkflowEnvironment,
    domain_store: EventStore,
    pool: Pool,
    smtp: SmtpServer,
    webhook: WebhookServer,
    tmp_path: Path,
) -> AsyncIterator[Receivers]:
    """A worker on the test's time-skipping server that delivers to the test's SMTP and webhook servers."""
    task_queue = f"delivery-{uuid.uuid4()}"
    async with worker.running(env.client, task_queue, domain_store, pool, delivery_settings(smtp)):
        harness = Harness(env, domain_store, pool, task_queue)
        await import_contacts(harness, webhook, tmp_path / "directory.yaml")
        yield Receivers(harness, smtp, webhook)
