"""In a real browser, each person with an account of their own: HQ issues a directive (a preview first), a post
nominates two members in one form, the commune accepts both at once, the cell records a meeting, the member logs
an activity, and HQ's report changes; once on a desktop, once on a 360×740 phone."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from playwright.async_api import Page, ViewportSize, expect

from tests.api.conftest import EXAMPLES
from tests.web.conftest import DESKTOP, PHONE, Web

pytestmark = pytest.mark.timeout(420)
CODE = "681-CT/ĐU"


async def introduced(web: Web, assignment_id: str) -> None:
    for _ in range(400):
        if await web.api.harness.store.stream_version(f"assignment-{assignment_id}") >= 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{assignment_id} was not introduced")


async def issue_directive(web: Web, hq: Page) -> None:
    await hq.goto("/directives/new")
    await hq.set_input_files("#directive-file", str(EXAMPLES / "directive-cells.yaml"))
    await hq.click("main form button[type=submit]")
    preview = hq.locator("#preview-heading")
    await expect(preview).to_contain_text(CODE)
    await web.shot(hq, "issue-preview")
    await hq.click("text=Xác nhận ban hành")
    await expect(hq.locator("p.ok")).to_contain_text("Đã ban hành")


async def report_text(hq: Page) -> str:
    await hq.goto(f"/report?directive={CODE}")
    return await hq.locator("table.figures").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_directive_from_issue_to_report_in_the_browser(web: Web, viewport: ViewportSize) -> None:
    web.viewport = viewport
    hq = await web.person("hq.tran", "hq")
    await issue_directive(web, hq)
    before = await report_text(hq)

    post = await web.person("don.hamluong", "post:DBP-HAM-LUONG")
    await expect(post.locator(".task").first).to_contain_text("Cử đảng viên")
    await web.shot(post, "tasks-post")
    await post.click("a.button:has-text('Cử đảng viên')")
    await post.fill("#resolution", "15-NQ/ĐU")
    await post.select_option("#cell_0", "CB-TT-AP1")
    await post.select_option("#member_0", "DV-HL-02")
    await post.select_option("#cell_1", "CB-TT-AP3")
    await post.select_option("#member_1", "DV-HL-03")
    await web.shot(post, "nominate")
    await post.click("main form button[type=submit]")
    await expect(post.locator("p.ok")).to_contain_text("Đã ghi nhận: 2")
    assignments = [t.strip() for t in await post.locator("main li code").all_inner_texts()]
    assert len(assignments) == 2
    for a in assignments:
        await introduced(web, a)

    commune = await web.person("xa.tiemtom", "commune:TT-TIEM-TOM")
    await commune.reload()
    picks = commune.locator("input[name=assignment]")
    await expect(picks).to_have_count(2)
    await web.shot(commune, "tasks-commune")
    await hq.goto(f"/directives/{CODE}/view")
    covered = hq.locator("#directive-figures dd").first
    await expect(covered).to_have_text("0/6")
    await picks.nth(0).check()
    await picks.nth(1).check()
    await commune.click("text=Tiếp nhận các đảng viên đã chọn")
    await expect(commune.locator("ul.results li.ok")).to_have_count(2)
    await hq.evaluate("htmx.trigger('#directive-figures', 'refresh')")  # what phancong.js does every minute
    await expect(covered).to_have_text("2/6")

    today = (await web.api.harness.today()).isoformat()
    first = next(a for a in assignments if a.endswith("CB-TT-AP1"))
    cell = await web.person("chibo.ap1", "cell:CB-TT-AP1")
    await cell.click(f"a:has-text('{first}')")
    await cell.click("summary:has-text('Ghi biên bản sinh hoạt')")
    form = cell.locator("form.command").first
    await form.locator("input[name=meeting_on]").fill(today)
    await form.locator("select[name=attendance]").select_option("present")
    await form.locator("button[type=submit]").click()
    await expect(cell.locator("p.ok")).to_contain_text("Đã ghi nhận")

    member = await web.person("dv.hl02", "member:DV-HL-02")
    await member.click(f"a:has-text('{first}')")
    await member.click("summary:has-text('Ghi hoạt động')")
    form = member.locator("form.command").first
    tomorrow = (await web.api.harness.today() + timedelta(days=1)).isoformat()
    await form.locator("input[name=activity_on]").fill(tomorrow)
    await form.locator("select[name=kind]").select_option("material_support")
    await form.locator("input[name=amount_vnd]").fill("2500000")
    await form.locator("button[type=submit]").click()
    refused = member.locator("form.command [role=alert]")
    await expect(refused).to_contain_text(f"the activity date {tomorrow} is outside")  # the API's words
    form = member.locator("form.command").first
    await form.locator("input[name=activity_on]").fill(today)
    await form.locator("input[name=amount_vnd]").fill("2500000")
    await form.locator("input[name=in_kind]").fill("gạo")
    await form.locator("button[type=submit]").click()
    await expect(member.locator("p.ok")).to_contain_text("Đã ghi nhận")
    await web.shot(member, "logged")

    after = await report_text(hq)
    assert "2.500.000 đ" in after
    assert "2.500.000 đ" not in before
    assert re.search(r"Đảng viên tham gia sinh hoạt chi bộ thôn, ấp\s+2", after), after
    await web.shot(hq, "report")
    for page in (hq, post, commune, cell, member):
        assert not [p for p in page.problems if "Content Security Policy" in p], page.problems  # type: ignore[attr-defined]
