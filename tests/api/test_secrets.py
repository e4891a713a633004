"""No secret is ever written where others read: a journey through the API with every kind of secret phancong
handles (passwords, a wrong one too, second-factor keys and codes, enrolment links, session cookies, CSRF and API
tokens, the master key of households' data keys), then every event, every outbox row, every data key's row and
everything logged is searched for each of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from app import accounts
from tests.api.conftest import EXAMPLES, HQ, Api

pytestmark = pytest.mark.timeout(180)


def master_key() -> str:
    """The current master key, as the test process's key file holds it (base64)."""
    return Path(os.environ["PHANCONG_MASTER_KEYS_FILE"]).read_text(encoding="utf-8").split()[1]


async def test_no_secret_reaches_the_log_the_events_or_the_outbox(api: Api, capfd: pytest.CaptureFixture[str]) -> None:
    hq = await api.person("hq.secret", "hq")
    post = await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    made = await accounts.create(api.services, HQ, "xa.tiemtom", "Xã Tiềm Tôm", ["commune:TT-TIEM-TOM"])
    link = api.client()
    assert (await link.get(f"/enrolment/{made.token}")).status_code == 200
    commune_password = "một mật khẩu riêng của xã Tiềm Tôm"
    assert (await link.post(f"/enrolment/{made.token}", json={"password": commune_password})).status_code == 200
    wrong = await api.client().post("/session", json={"login": "hq.secret", "password": "đoán thử mật khẩu HQ"})
    assert wrong.status_code == 401
    token = (await hq.post("/tokens", {"name": "script", "days": 1}, key=None)).json()["token"]
    spec = yaml.safe_load((EXAMPLES / "directive-cells.yaml").read_text(encoding="utf-8"))
    assert (await hq.post("/directives", spec)).status_code == 201
    nominated = await post.post(
        "/directives/681-CT/ĐU/nominations",
        {"resolution": "15-NQ/ĐU", "items": [{"member_id": "DV-HL-02", "cell_id": "CB-TT-AP1"}]},
    )
    assert nominated.status_code == 200, nominated.text
    await api.services.read.catch_up()

    secrets = {
        "hq password": hq.password,
        "post password": post.password,
        "commune password": commune_password,
        "wrong password": "đoán thử mật khẩu HQ",
        "hq second factor": hq.secret or "",
        "hq code": api.code(hq.secret or ""),
        "enrolment token": made.token,
        "api token": token,
        "hq session": hq.http.cookies["phancong_session"],
        "post session": post.http.cookies["phancong_session"],
        "hq csrf": hq.csrf,
        # the master key wrapping households' data keys (as its file holds it), and a household's head: sealed
        "master key": master_key(),
        "a household's head": "Lê Văn Kha",
    }
    assert all(len(value) >= 6 for value in secrets.values()), secrets.keys()
    pool = api.harness.pool
    events = [r["text"] for r in await pool.fetch("SELECT row_to_json(e)::text AS text FROM events e")]
    outbox = [r["text"] for r in await pool.fetch("SELECT row_to_json(n)::text AS text FROM notifications n")]
    out, err = capfd.readouterr()
    assert events
    assert "request" in out + err  # the log was captured
    keys = [r["text"] for r in await pool.fetch("SELECT row_to_json(k)::text AS text FROM household_keys k")]
    assert keys  # the directory's households have their data keys, wrapped
    places = {"events": "\n".join(events), "outbox": "\n".join(outbox), "keys": "\n".join(keys), "log": out + err}
    found = [(name, where) for name, value in secrets.items() for where, text in places.items() if value in text]
    assert found == []
