"""`phancong serve` as an operator runs it: a process that prints the API's address and, on a database without
accounts, the first HQ account's enrolment link (once); the link works; SIGTERM stops it."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.cli import PHANCONG, clean_env, free_port

pytestmark = pytest.mark.timeout(120)


def started(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """The process, and what it printed until it listened."""
    process = subprocess.Popen(
        [PHANCONG, "serve"], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if line.startswith("API"):
            return process, lines
    process.kill()
    raise AssertionError("phancong serve did not start:\n" + "\n".join(lines))


def stopped(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


async def up(base: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                if (await http.get(f"{base}/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the API did not answer")


async def test_serve_prints_the_first_hq_link_once_and_the_link_enrols(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(
        PHANCONG_DATABASE_URL=database_url,
        PHANCONG_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",  # not needed to serve; never started here
        PHANCONG_API_PORT=str(port),
        PHANCONG_STATE_DIR=str(tmp_path / "state"),
        PHANCONG_LOG_FORMAT="json",
    )
    base = f"http://127.0.0.1:{port}"
    process, printed = await asyncio.to_thread(started, env, tmp_path)
    try:
        await up(base)
        links = [line.strip() for line in printed if line.strip().startswith(f"{base}/enrol/")]
        assert len(links) == 1, printed
        assert any(line.strip() == f"web app  {base}/" for line in printed), printed
        async with httpx.AsyncClient() as http:
            page = await http.get(links[0])  # the page a browser opens: the account, the second factor's QR code
            token = links[0].rsplit("/", 1)[1]
            view = (await http.get(f"{base}/api/v1/enrolment/{token}")).json()
        assert page.status_code == 200
        assert "<code>admin</code>" in page.text
        assert view["totp_secret"] in page.text
        assert (view["account_id"], view["second_factor_required"]) == ("admin", True)
    finally:
        assert await asyncio.to_thread(stopped, process) == 0

    again, printed_again = await asyncio.to_thread(started, env, tmp_path)
    try:
        await up(base)
        assert not [line for line in printed_again if "/enrol/" in line]  # the link is printed once
    finally:
        assert await asyncio.to_thread(stopped, again) == 0
