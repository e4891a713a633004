"""The README's curl session, run as printed (its address and link replaced by the test's), from the first HQ
account's enrolment to a post's nomination."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app import accounts, directives
from directives.model import DirectiveFile
from tests.api.conftest import EXAMPLES, HQ, Api

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.timeout(180)


def session() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    part = text.split("### A session with curl", 1)[1]
    found = re.search(r"```sh\n(.*?)```", part, re.DOTALL)
    assert found is not None, "the README has no curl session"
    return found[1]


@pytest.mark.skipif(shutil.which("curl") is None, reason="the session is a curl session")
async def test_the_readme_curl_session_runs_from_enrolment_to_a_nomination(api: Api, tmp_path: Path) -> None:
    spec = yaml.safe_load((EXAMPLES / "directive-cells.yaml").read_text(encoding="utf-8"))
    await directives.issue(api.services, HQ, DirectiveFile.model_validate(spec), "directive-cells.yaml")
    first = await accounts.first_account(api.services)
    assert first is not None
    assert await accounts.first_account(api.services) is None  # made once
    script = session()
    script = re.sub(r"^BASE=.*$", f"BASE={api.base}/api/v1", script, count=1, flags=re.MULTILINE)
    script = re.sub(
        r"^LINK=.*$", f"LINK={api.base}/api/v1/enrolment/{first.token}", script, count=1, flags=re.MULTILINE
    )
    # the test's API keeps time by the Temporal server: the authenticator's code must follow it, not the system clock
    now = api.clock.now().timestamp()
    script = script.replace("pyotp.TOTP('$1').now()", f"pyotp.TOTP('$1').at({now})")
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    nominated = json.loads(done.stdout[done.stdout.rindex('{"directive_id"') :])  # curl's last answer
    assert nominated["assignment_ids"] == ["681-CT/ĐU:DV-HL-03:CB-TT-AP3"]
    rows = await api.harness.pool.fetch(
        "SELECT event_type, actor_role, actor_account FROM events WHERE actor_account IS NOT NULL "
        "ORDER BY global_position"
    )
    assert ("AccountCreated", "hq", "admin") in [tuple(r) for r in rows]
