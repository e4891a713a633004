"""The authorization matrix, generated from one table: every endpoint × every role, each role with a person whose
unit is in the target's scope and one whose unit is not, against the expected outcome.

Outcomes: ``ok`` (2xx), ``allowed`` (past authorization: 2xx, or refused for a reason of its own such as the
assignment's stage, 4xx but 401/403), ``forbidden`` (403). The rules are the application layer's (``app.scopes``
and the command rules of ``domain.decisions``): the CLI calls the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import yaml

from tests.api.conftest import EXAMPLES, Api, Person
from tests.api.test_journey import CODE, introduced

pytestmark = pytest.mark.timeout(300)

ROLES = ("hq", "auditor", "post", "commune", "cell", "member")
# The person of each role whose unit the target (assignment A: member DV-HL-02 of DBP-HAM-LUONG in cell CB-TT-AP1
# of commune TT-TIEM-TOM) belongs to, and one whose unit it does not.
IN_SCOPE = {
    "hq": "hq",
    "auditor": "auditor",
    "post": "post:DBP-HAM-LUONG",
    "commune": "commune:TT-TIEM-TOM",
    "cell": "cell:CB-TT-AP1",
    "member": "member:DV-HL-02",
}
OUT_OF_SCOPE = {
    "hq": "hq",
    "auditor": "auditor",
    "post": "post:DBP-BA-TRI",
    "commune": "commune:XA-BAO-THUAN",
    "cell": "cell:CB-BT-AP1",
    "member": "member:DV-BT-01",
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {A}: the assignment, {D}: the directive, {today}
    body: Any
    expected: dict[str, tuple[str, str]]  # role -> (in scope, out of scope)


def every(outcome: str) -> dict[str, tuple[str, str]]:
    return dict.fromkeys(ROLES, (outcome, outcome))


def only(outcome: str, *roles: str, out: str | None = None) -> dict[str, tuple[str, str]]:
    """``outcome`` for ``roles`` (``out`` for their out-of-scope person, when it differs), forbidden for the rest."""
    return {role: (outcome, out or outcome) if role in roles else ("forbidden", "forbidden") for role in ROLES}


def scoped(outcome: str, *roles: str) -> dict[str, tuple[str, str]]:
    """HQ and auditors, and ``roles`` about their own units only."""
    table = only(outcome, "hq", "auditor", *roles, out="forbidden")
    return table | {"hq": (outcome, outcome), "auditor": (outcome, outcome)}


READING = "post", "commune", "cell", "member"
TABLE: list[Row] = [
    Row("GET", "/session", None, every("ok")),
    Row("GET", "/tasks", None, every("ok")),
    Row("GET", "/tokens", None, every("ok")),
    Row("GET", "/directory", None, every("ok")),
    Row("GET", "/assignments", None, every("ok")),
    Row("GET", "/directives", None, every("ok")),
    Row("GET", "/audit/verify", None, every("ok")),
    Row("GET", "/assignments/{A}/state", None, scoped("ok", *READING)),
    Row("GET", "/history/assignment/{A}", None, scoped("ok", *READING)),
    Row("GET", "/history/member/DV-HL-02", None, scoped("ok", "post", "commune", "member")),
    Row("GET", "/history/cell/CB-TT-AP1", None, scoped("ok", "post", "commune", "cell")),
    Row("GET", "/history/directive/{D}", None, only("ok", "hq", "auditor", "post")),  # every post is in it
    Row("GET", "/directives/{D}/status", None, only("ok", "hq", "auditor", "post")),
    Row("GET", "/report?directive={D}", None, only("ok", "hq", "auditor", "post", "commune")),
    Row("GET", "/report?post=DBP-HAM-LUONG", None, scoped("ok", "post") | {"commune": ("ok", "ok")}),
    Row("GET", "/report?commune=TT-TIEM-TOM", None, scoped("ok", "commune") | {"post": ("ok", "ok")}),
    Row("GET", "/notifications", None, only("ok", "hq", "auditor")),
    Row("GET", "/projections", None, only("ok", "hq", "auditor")),
    Row("GET", "/accounts", None, only("ok", "hq", "auditor")),
    Row("GET", "/accounts/matrix.hq", None, only("ok", "hq", "auditor")),
    Row("GET", "/access-log", None, only("ok", "hq", "auditor")),
    Row("GET", "/audit/exports/{D}", None, only("ok", "hq", "auditor")),
    Row("POST", "/audit/seals", None, only("allowed", "hq", "auditor")),
    Row("POST", "/assignments/{A}/accept", {}, only("allowed", "commune", out="forbidden")),
    Row("POST", "/assignments/{A}/decline", {"reason": "x"}, only("allowed", "commune", out="forbidden")),
    Row(
        "POST",
        "/assignments/{A}/record-meeting",
        {"meeting_on": "{today}", "attendance": "present"},
        only("allowed", "cell", out="forbidden"),
    ),
    Row(
        "POST",
        "/assignments/{A}/log-activity",
        {"activity_on": "{today}", "kind": "household_visit"},
        only("allowed", "member", out="forbidden"),
    ),
    Row(
        "POST",
        "/assignments/{A}/submit-appraisal",
        {"period": "2000-Q1", "text": "x"},
        only("allowed", "cell", out="forbidden"),
    ),
    Row(
        "POST",
        "/assignments/{A}/grade",
        {"period": "2000-Q1", "grade": "good"},
        only("allowed", "post", out="forbidden"),
    ),
    Row("POST", "/assignments/{A}/commend", {"reason": "x"}, only("allowed", "hq")),
    Row("POST", "/assignments/{A}/correct", {"reason": "x"}, only("allowed", "hq")),
    Row("POST", "/assignments/{A}/resume", {}, only("allowed", "post", out="forbidden")),
    Row(
        "POST",
        "/directives/{D}/nominations",
        {"items": [{"member_id": "DV-HL-03", "cell_id": "CB-TT-AP3"}]},
        only("allowed", "post", out="forbidden"),
    ),
    Row("POST", "/directives/{D}/amend", {"note": "x"}, only("allowed", "hq")),
    Row("POST", "/directives/NO-SUCH/close", {"reason": "x"}, only("allowed", "hq")),
    Row("POST", "/directives", "{directive}", only("allowed", "hq")),
    Row("POST", "/notifications/00000000-0000-0000-0000-000000000000/retry", None, only("allowed", "hq")),
    Row("POST", "/accounts/matrix.hq/unlock", None, only("allowed", "hq")),
    Row("POST", "/accounts/matrix.member-in/grant", {"scope": "member:DV-HL-02"}, only("allowed", "hq")),
    Row("POST", "/projections/rebuild", None, only("allowed", "hq")),
    # Last: these end an assignment (B: another of the same post, commune and cell).
    Row("POST", "/assignments/{A}/pause", {"reason": "x"}, only("allowed", "post", out="forbidden")),
    Row("POST", "/assignments/{B}/withdraw", {"reason": "rotated"}, only("allowed", "post", out="forbidden")),
    Row("POST", "/assignments/{A}/end", {"reason": "cell_merged"}, only("allowed", "hq")),
]


def outcome(answer: httpx.Response) -> str:
    if answer.status_code in (401, 403):
        return "forbidden" if answer.status_code == 403 else "unauthenticated"
    if answer.status_code >= 500:
        return f"failed {answer.status_code}: {answer.text}"
    return "ok" if answer.is_success else f"allowed ({answer.status_code} {answer.json().get('code')})"


def matches(seen: str, expected: str) -> bool:
    """``allowed`` is anything past authorization: done, or refused for a reason of the command's own."""
    if expected == "allowed":
        return seen == "ok" or seen.startswith("allowed")
    return seen == expected


def filled(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value in ("{directive}",):
            return names["directive"]
        return value.format(**names)
    if isinstance(value, dict):
        return {k: filled(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, names) for v in value]
    return value


async def test_every_endpoint_for_every_role_in_and_out_of_scope(api: Api) -> None:
    people: dict[str, Person] = {}
    for role in ROLES:
        for side, scope in (("in", IN_SCOPE[role]), ("out", OUT_OF_SCOPE[role])):
            if side == "out" and scope == IN_SCOPE[role]:
                people[f"{role}-out"] = people[f"{role}-in"]
                continue
            people[f"{role}-{side}"] = await api.person(f"matrix.{role}-{side}", scope)
    people["hq-in"] = people["hq-out"] = await api.person("matrix.hq", "hq")

    spec = yaml.safe_load((EXAMPLES / "directive-cells.yaml").read_text(encoding="utf-8"))
    hq, post, commune = people["hq-in"], people["post-in"], people["commune-in"]
    assert (await hq.post("/directives", spec)).status_code == 201
    items = [{"member_id": "DV-HL-02", "cell_id": "CB-TT-AP1"}, {"member_id": "DV-HL-05", "cell_id": "CB-TT-AP1"}]
    nominated = await post.post(f"/directives/{CODE}/nominations", {"items": items})
    assignment, other = nominated.json()["assignment_ids"]
    for started in (assignment, other):
        await introduced(api, started)
        assert (await commune.post(f"/assignments/{started}/accept", {})).status_code == 200
    today = (await api.harness.today()).isoformat()
    names = {"A": assignment, "B": other, "D": CODE, "today": today, "directive": spec}

    seen: dict[tuple[str, str, str], str] = {}
    wanted: dict[tuple[str, str, str], str] = {}
    for row in TABLE:
        path = filled(row.path, names)
        # Those to be refused first: a command that ends the assignment is then sent last, by its own actor.
        cells = [(role, side, e) for role in ROLES for side, e in zip(("in", "out"), row.expected[role], strict=True)]
        for role, side, expected in sorted(cells, key=lambda cell: cell[2] != "forbidden"):
            person = people[f"{role}-{side}"]
            if row.method == "GET":
                answer = await person.http.get(path)
            else:
                answer = await person.post(path, filled(row.body, names))
            key = (f"{row.method} {row.path}", role, side)
            seen[key], wanted[key] = outcome(answer), expected

    wrong = {k: (v, wanted[k]) for k, v in seen.items() if not matches(v, wanted[k])}
    assert wrong == {}, "\n".join(f"{k}: got {v[0][:300]}, expected {v[1]}" for k, v in wrong.items())
    assert len(seen) == len(TABLE) * len(ROLES) * 2
