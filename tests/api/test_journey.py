"""End to end over HTTP, each person with an account of their own: HQ issues a directive, a post nominates, the
commune accepts, the cell records a meeting, the member logs an activity, HQ reads the report; and every event
records the account behind its role."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from tests.api.conftest import EXAMPLES, Api, Person

pytestmark = pytest.mark.timeout(300)
CODE = "681-CT/ĐU"


async def issued(api: Api, hq: Person) -> dict[str, Any]:
    spec = yaml.safe_load((EXAMPLES / "directive-cells.yaml").read_text(encoding="utf-8"))
    answer = await hq.post("/directives", spec)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def introduced(api: Api, assignment_id: str) -> None:
    """The assignment has introduced its member to the commune (its second event is stored)."""
    for _ in range(400):
        if await api.harness.store.stream_version(f"assignment-{assignment_id}") >= 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{assignment_id} was not introduced")


async def test_a_directive_from_issue_to_report_each_step_by_its_own_account(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    post = await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    commune = await api.person("xa.tiemtom", "commune:TT-TIEM-TOM")
    cell = await api.person("chibo.ap1", "cell:CB-TT-AP1")
    member = await api.person("dv.hl02", "member:DV-HL-02")

    assert (await issued(api, hq))["outcome"] == "issued"

    nominated = await post.post(
        f"/directives/{CODE}/nominations",
        {"resolution": "15-NQ/ĐU", "items": [{"member_id": "DV-HL-02", "cell_id": "CB-TT-AP1"}]},
    )
    assert nominated.status_code == 200, nominated.text
    (assignment,) = nominated.json()["assignment_ids"]
    await introduced(api, assignment)

    tasks = (await commune.get("/tasks")).json()
    assert [t["kind"] for t in tasks] == ["commune_response"]
    assert "DV-HL-02" in tasks[0]["what"]

    key = "accept-1"
    accepted = await commune.post(f"/assignments/{assignment}/accept", {"note": "Đồng ý"}, key=key)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["stage"] == "active"
    again = await commune.post(f"/assignments/{assignment}/accept", {"note": "Đồng ý"}, key=key)
    assert (again.status_code, again.json(), again.headers.get("Idempotent-Replayed")) == (200, accepted.json(), "true")
    other = await commune.post(f"/assignments/{assignment}/accept", {"note": "khác"}, key=key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")

    today = (await api.harness.today()).isoformat()
    met = await cell.post(f"/assignments/{assignment}/record-meeting", {"meeting_on": today, "attendance": "present"})
    assert met.status_code == 200, met.text
    logged = await member.post(
        f"/assignments/{assignment}/log-activity",
        {"activity_on": today, "kind": "material_support", "amount_vnd": 2_500_000, "in_kind": "gạo"},
    )
    assert logged.status_code == 200, logged.text

    report = await hq.get("/report", directive=CODE)
    assert report.status_code == 200, report.text
    figures = report.json()
    assert (figures["members_participating"], figures["meetings_recorded"], figures["material_support_vnd"]) == (
        1,
        1,
        2_500_000,
    )

    rows = await api.harness.pool.fetch(
        "SELECT event_type, actor_account FROM events WHERE stream_id = $1 AND actor_account IS NOT NULL",
        f"assignment-{assignment}",
    )
    by_account = {r["event_type"]: r["actor_account"] for r in rows}
    assert by_account == {
        "CommuneAccepted": "xa.tiemtom",
        "MeetingRecorded": "chibo.ap1",
        "ActivityLogged": "dv.hl02",
    }
    issuer = await api.harness.pool.fetchval(
        "SELECT actor_account FROM events WHERE stream_id = $1 AND stream_version = 1", f"directive-{CODE}"
    )
    assert issuer == "hq.tran"
    history = (await hq.get(f"/history/assignment/{assignment}")).json()
    assert {e["account"] for e in history["entries"]} >= {"xa.tiemtom", "chibo.ap1", "dv.hl02"}
