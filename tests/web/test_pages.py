"""The web app's boundary over plain HTTP: who may see a page, the CSRF token and the origin every form needs, the
Content-Security-Policy, the forms without JavaScript, the language kept per account, refusals as pages."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
import zipfile

import httpx
import openpyxl
import pytest

from tests.api.conftest import EXAMPLES, Api, Person
from tests.api.test_journey import introduced, issued

pytestmark = pytest.mark.timeout(300)
CODE = "681-CT/ĐU"


def browser_of(api: Api, person: Person | None = None) -> httpx.AsyncClient:
    """A client of the web pages, holding the person's session cookie."""
    http = httpx.AsyncClient(base_url=api.base, timeout=60, cookies=person.http.cookies if person else None)
    api.clients.append(http)
    return http


def form_of(page: str, **fields: str) -> dict[str, str]:
    """The hidden fields of the page's first form (its CSRF token, its command's id), and ``fields``."""
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    return {**hidden, **fields}


async def test_a_page_without_a_session_sends_its_visitor_to_sign_in(api: Api) -> None:
    http = browser_of(api)
    answer = await http.get("/tasks")
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in?next=/tasks")
    partial = await http.get("/tasks?part=list", headers={"HX-Request": "true"})
    assert (partial.status_code, partial.headers["HX-Redirect"]) == (204, "/sign-in?next=/tasks")
    page = await http.get("/sign-in")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "<script>" not in page.text
    assert " style=" not in page.text


async def test_a_wrong_password_is_said_on_the_page_in_the_apis_words(api: Api) -> None:
    await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    http = browser_of(api)
    answer = await http.post("/sign-in", data={"login": "don.hamluong", "password": "không phải mật khẩu này"})
    api_answer = await api.client().post("/session", json={"login": "don.hamluong", "password": "không phải"})
    assert answer.status_code == api_answer.status_code == 401
    assert api_answer.json()["detail"] in answer.text
    assert 'role="alert"' in answer.text


async def test_a_form_without_the_sessions_token_or_from_another_site_is_refused(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    http = browser_of(api, hq)
    page = (await http.get("/accounts")).text
    fields = form_of(page, action="create", login="xa.moi", name="Xã mới", scopes="commune:TT-TIEM-TOM")
    missing = {k: v for k, v in fields.items() if k != "csrf"}
    refused = await http.post("/accounts", data=missing)
    assert refused.status_code == 403
    assert "reload the page" in refused.text
    elsewhere = await http.post("/accounts", data=fields, headers={"Sec-Fetch-Site": "cross-site"})
    assert elsewhere.status_code == 403
    await api.services.read.catch_up()
    assert "xa.moi" not in {a["account_id"] for a in await api.services.read.accounts()}
    made = await http.post("/accounts", data=fields, headers={"Sec-Fetch-Site": "same-origin"})
    assert made.status_code == 200, made.text
    link = re.search(r'id="enrolment-link">([^<]+)<', made.text)
    assert link is not None
    assert link.group(1).startswith(f"{api.ctx.settings.base_url}/enrol/")


async def test_a_command_works_without_javascript_and_twice_sent_is_applied_once(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    post = await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    commune = await api.person("xa.tiemtom", "commune:TT-TIEM-TOM")
    await issued(api, hq)
    nominated = await post.post(
        f"/directives/{CODE}/nominations",
        {"resolution": "15-NQ/ĐU", "items": [{"member_id": "DV-HL-02", "cell_id": "CB-TT-AP1"}]},
    )
    (assignment,) = nominated.json()["assignment_ids"]
    await introduced(api, assignment)
    http = browser_of(api, commune)
    page = (await http.get("/tasks")).text
    action = re.search(r'<form class="command" method="post" action="([^"]+/do/accept[^"]*)"', page)
    assert action is not None
    url = action.group(1).replace("&amp;", "&")
    start = page.index(action.group(0))
    fields = form_of(page[start:], note="Đồng ý")
    first = await http.post(url, data=fields)
    assert (first.status_code, first.headers["location"]) == (303, "/tasks?done=accept")
    again = await http.post(url, data=fields)  # the same form sent twice (a double tap, a retry)
    assert again.status_code == 303
    events = await api.harness.pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'CommuneAccepted'",
        f"assignment-{assignment}",
    )
    assert events == 1
    fresh = form_of(page[start:], command_id=str(uuid.uuid4()))  # a new command: refused, the stage said
    refused = await http.post(url, data=fresh)
    assert refused.status_code == 409
    assert "cannot accept: the assignment is active" in refused.text


async def test_the_language_is_kept_per_account(api: Api) -> None:
    post = await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    http = browser_of(api, post)
    vietnamese = (await http.get("/tasks")).text
    assert '<html lang="vi">' in vietnamese
    assert "Việc cần làm" in vietnamese
    chosen = await http.post("/language?next=/tasks", data=form_of(vietnamese, language="en"))
    assert chosen.status_code == 303
    again = browser_of(api, await api.sign_in("don.hamluong", post.password, None))
    english = (await again.get("/tasks")).text
    assert '<html lang="en">' in english
    assert "Tasks" in english


async def test_the_report_csv_holds_the_numbers_the_api_gives(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    await issued(api, hq)
    http = browser_of(api, hq)
    answer = await http.get("/report.csv", params={"directive": CODE})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = {r["key"]: r["value"] for r in csv.DictReader(io.StringIO(answer.text))}
    figures = (await hq.get("/report", directive=CODE)).json()
    assert int(rows["cells_in_scope"]) == figures["cells_in_scope"] > 0
    assert int(rows["material_support_vnd"]) == figures["material_support_vnd"]
    for category, (covered, total) in figures["cells_by_category"].items():
        assert int(rows[f"cells_by_category.{category}.in_scope"]) == total
        assert int(rows[f"cells_by_category.{category}.covered"]) == covered
    workbook = await http.get("/report.xlsx", params={"directive": CODE})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and len(row) == 3}
    assert cells["cells_in_scope"] == figures["cells_in_scope"]
    assert all(cells[k] == (None if v == "" else float(v)) for k, v in rows.items()), "the workbook holds numbers"


async def test_refusals_of_pages_are_pages(api: Api) -> None:
    post = await api.person("don.hamluong", "post:DBP-HAM-LUONG")
    http = browser_of(api, post)
    missing = await http.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    forbidden = await http.get("/accounts")
    assert forbidden.status_code == 403
    assert "<html" in forbidden.text
    closed = await browser_of(api).get("/enrol/" + "x" * 40)
    assert closed.status_code == 410
    assert "ask HQ for a new one" in closed.text


async def test_an_auditor_verifies_the_log_keeps_the_seal_and_downloads_an_export(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    await issued(api, hq)
    auditor = await api.person("kiemtoan", "auditor")
    http = browser_of(api, auditor)
    page = (await http.get("/audit")).text
    verified = await http.post("/audit", data=form_of(page))
    assert verified.status_code == 200, verified.text
    assert "Chuỗi sự kiện nguyên vẹn" in verified.text
    seal = re.search(r'id="seal">(\d+) ([0-9a-f]{64})<', verified.text)
    assert seal is not None
    stored = await api.harness.pool.fetchval("SELECT hash FROM log_seals WHERE seal_no = $1", int(seal.group(1)))
    assert bytes(stored).hex() == seal.group(2)
    export = await http.get("/audit/export", params={"directive": CODE})
    assert export.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.content)) as zipped:
        assert set(zipped.namelist()) == {"events.jsonl", "manifest.json", "verify_chain.py"}
    unknown = await http.get("/audit/export", params={"directive": "KHONG-CO"})
    assert unknown.status_code == 404


async def test_hq_erases_a_households_sensitive_data_from_the_directory_page_and_the_api_refuses_it_twice(
    api: Api,
) -> None:
    hq = await api.person("hq.tran", "hq")
    commune = await api.person("xa.tiemtom", "commune:TT-TIEM-TOM")
    assert "erase" not in (await browser_of(api, commune).get("/directory")).text  # HQ's form only
    http = browser_of(api, hq)
    page = (await http.get("/directory?kind=households&q=HH-003")).text
    assert "Phật giáo Hòa Hảo" in page
    start = page.index('action="/directory/erase"')
    unticked = await http.post("/directory/erase", data=form_of(page[start:], household="HH-003", reason="asked"))
    assert unticked.status_code == 400
    assert "cannot be undone" in unticked.text
    fields = form_of(page[start:], household="HH-003", reason="the family asked", confirm="yes")
    done = await http.post("/directory/erase", data=fields)
    assert done.status_code == 200, done.text
    assert "HH-003" in done.text
    after = (await http.get("/directory?kind=households&q=HH-003")).text
    assert "Phật giáo Hòa Hảo" not in after
    assert "Lê Văn Kha" not in after
    twice = await hq.post("/households/HH-003/erase", {"reason": "again"})
    assert (twice.status_code, twice.json()["code"]) == (409, "wrong_state")
    other = await hq.post("/households/HH-001/erase", {"reason": "the family asked"})
    assert other.status_code == 200, other.text
    assert other.json()["household_id"] == "HH-001"
    refused = await commune.post("/households/HH-002/erase", {"reason": "asked"})
    assert refused.status_code == 403
    erasures = await api.harness.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'HouseholdErased'")
    assert erasures == 2


async def test_hq_brings_a_past_directive_in_from_the_web_app_after_a_preview(api: Api) -> None:
    hq = await api.person("hq.tran", "hq")
    http = browser_of(api, hq)
    page = (await http.get("/directives/past")).text
    directive = (EXAMPLES / "past" / "directive-2019.yaml").read_bytes()
    records = (EXAMPLES / "past" / "records-2019.csv").read_bytes()
    before = await api.harness.pool.fetchval("SELECT count(*) FROM events")
    files = {"file": ("directive-2019.yaml", directive), "records": ("records-2019.csv", records)}
    preview = await http.post("/directives/past", data=form_of(page), files=files)
    assert preview.status_code == 200, preview.text
    assert "194-KH/ĐU" in preview.text
    assert "2021" in preview.text  # the preview's years
    assert await api.harness.pool.fetchval("SELECT count(*) FROM events") == before  # a preview writes nothing
    start = preview.text.index('<form method="post" action="/directives/past">')
    carried = re.search(r'<textarea id="past-text" name="text" hidden>(.*?)</textarea>', preview.text, re.DOTALL)
    assert carried is not None
    fields = form_of(preview.text[start:], text=html.unescape(carried.group(1)))
    confirmed = await http.post("/directives/past", data=fields)
    assert confirmed.status_code == 200, confirmed.text
    assert 'role="status"' in confirmed.text
    assert await api.harness.pool.fetchval("SELECT count(*) FROM events WHERE directive_id = '194-KH/ĐU'") > 0
    twice = await http.post("/directives/past", data=fields)
    assert twice.status_code == 409  # in the record already
    report = (await hq.get("/report", directive="194-KH/ĐU", to="2019-12-31")).json()
    in_2019 = [r for r in csv.DictReader(io.StringIO(records.decode("utf-8"))) if r["date"] < "2020"]
    meetings = sum(1 for r in in_2019 if r["record"] == "meeting")
    support = sum(int(r["amount_vnd"]) for r in in_2019 if r["kind"] == "material_support")
    assert (report["meetings_recorded"], report["material_support_vnd"]) == (meetings, support)

    # The report page side by side, by year, and its CSV with a column per year
    page = (await http.get("/report", params={"directive": "194-KH/ĐU", "by": "year"})).text
    assert re.search(r'<th scope="col" class="num">2019</th>\s*<th scope="col" class="num">2020</th>', page), page
    table = (await http.get("/report.csv", params={"directive": "194-KH/ĐU", "by": "year"})).text
    numbers = {r["key"]: r for r in csv.DictReader(io.StringIO(table))}
    assert list(numbers["meetings_recorded"])[2:] == ["2019", "2020", "2021"]
    assert int(numbers["meetings_recorded"]["2019"]) == meetings
    assert int(numbers["material_support_vnd"]["2019"]) == support
    refused = await http.get("/report", params={"directive": "194-KH/ĐU", "by": "week"})
    assert refused.status_code == 400
