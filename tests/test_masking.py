"""Secrets inside addresses are masked before an address is printed or recorded."""

from __future__ import annotations

import pytest

from infra.masking import masked
from notifications.models import Target, attempted

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("https://hooks.example.vn/phancong?token=s3cr3t&x=1", "https://hooks.example.vn/phancong?token=***&x=***"),
        ("postgresql://phancong:mật-khẩu@db:5432/phancong", "postgresql://phancong:***@db:5432/phancong"),
        (
            "postgresql://phancong@127.0.0.1/phancong?sslmode=require",
            "postgresql://phancong@127.0.0.1/phancong?sslmode=***",
        ),
        ("https://user:pw@[::1]:8443/a", "https://user:***@[::1]:8443/a"),
        ("xa.tiemtom@bienphong.vn", "xa.tiemtom@bienphong.vn"),
        (None, None),
    ],
)
def test_the_secret_parts_of_an_address_are_masked(address: str | None, shown: str | None) -> None:
    assert masked(address) == shown
    if address and "s3cr3t" in address:
        assert "s3cr3t" not in (masked(address) or "")


def test_a_database_url_keeps_its_query_and_an_empty_password() -> None:
    socket = "postgresql://postgres:@/phancong?host=/run/phancong/postgres"
    assert masked(socket, query=False) == socket
    assert masked("postgresql://u:pw@db/p?sslmode=require", query=False) == "postgresql://u:***@db/p?sslmode=require"


def test_a_delivery_attempt_records_a_webhooks_address_without_its_token() -> None:
    target = Target(recipient="post:DBP-HAM-LUONG", channel="webhook", address="https://hook.vn/p?token=s3cr3t")
    event = attempted("n-1", 1, target, "key", None)
    assert event.address == "https://hook.vn/p?token=***"
    assert "s3cr3t" not in event.model_dump_json()
