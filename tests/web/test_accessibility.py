"""Every page checked by axe-core (fetched at setup from the npm registry and injected by the test, never served
by the app): no serious or critical violation; and the essential forms used with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, ViewportSize, expect

from app import accounts
from tests.api.conftest import EXAMPLES, HQ
from tests.web.conftest import DESKTOP, PHONE, Web, axe_source
from tests.web.test_journey import CODE, issue_directive

pytestmark = pytest.mark.timeout(420)
SERIOUS = ("serious", "critical")


async def violations(page: Page) -> list[dict[str, Any]]:
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(axe_source())
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_no_page_has_a_serious_or_critical_axe_violation(web: Web, viewport: ViewportSize) -> None:
    web.viewport = viewport
    found: dict[str, list[dict[str, Any]]] = {}
    anonymous = await web.page(bypass_csp=True)
    await anonymous.set_content('<html lang="vi"><title>x</title><main><img src="x.png"><input></main></html>')
    assert {v["id"] for v in await violations(anonymous)} >= {"image-alt", "label"}  # axe finds what it should
    await anonymous.goto("/sign-in")
    found["sign-in"] = await violations(anonymous)
    made = await accounts.create(web.api.services, HQ, "hq.le", "Cán bộ Lê", ["hq"])
    await anonymous.goto(f"/enrol/{made.token}")
    found["enrol"] = await violations(anonymous)

    hq = await web.person("hq.tran", "hq")
    await issue_directive(web, hq)
    post = await web.person("don.hamluong", "post:DBP-HAM-LUONG")
    for page in (hq, post):  # axe runs as a script of its own: let it in (the app's pages allow none)
        await page.context.close()
    hq, post = await web.page(bypass_csp=True), await web.page(bypass_csp=True)
    await web.sign_in(hq, "hq.tran", *await _password(web, "hq.tran"))
    await web.sign_in(post, "don.hamluong", *await _password(web, "don.hamluong"))
    pages = {
        "tasks (HQ)": (hq, "/tasks"),
        "directives": (hq, "/directives"),
        "directive": (hq, f"/directives/{CODE}/view"),
        "issue": (hq, "/directives/new"),
        "bring in": (hq, "/directives/past"),
        "report": (hq, f"/report?directive={CODE}"),
        "history": (hq, f"/history?subject=directive&id={CODE}"),
        "directory": (hq, "/directory"),
        "directory (households)": (hq, "/directory?kind=households"),
        "notifications": (hq, "/notifications"),
        "accounts": (hq, "/accounts"),
        "audit": (hq, "/audit"),
        "tokens": (hq, "/tokens"),
        "tasks (post)": (post, "/tasks"),
        "nominate": (post, f"/directives/{CODE}/nominate"),
    }
    for name, (page, path) in pages.items():
        await page.goto(path)
        found[name] = await violations(page)
    await post.select_option("#member_0", "DV-HL-02")
    await post.fill("#resolution", "15-NQ/ĐU")
    await post.click("main form button[type=submit]")
    await expect(post.locator("p.ok")).to_be_visible()
    found["nominated"] = await violations(post)
    await post.locator("main li a").first.click()
    await expect(post.locator("h1")).to_have_text("Phân công")
    await post.locator("summary").first.click()
    found["assignment"] = await violations(post)
    bad = {name: v for name, v in found.items() if v}
    print(f"axe: {len(found)} pages at {viewport['width']} px, serious or critical violations: {bad or 'none'}")
    assert not bad


async def _password(web: Web, login: str) -> tuple[str, str | None]:
    """The password ``Web.person`` gave, and the account's authenticator key (read back from the test's store)."""
    return f"mật khẩu thật dài số {len(login) * 7919}", web.secrets.get(login)


async def test_the_essential_forms_work_with_the_keyboard_alone(web: Web) -> None:
    made = await accounts.create(web.api.services, HQ, "don.hamluong", "Chỉ huy", ["post:DBP-HAM-LUONG"])
    page = await web.page()
    await page.goto(f"/enrol/{made.token}")
    await page.focus("#password")
    await page.keyboard.type("bến sông quê hương tôi")
    await page.keyboard.press("Enter")
    await expect(page.locator("p.ok")).to_be_visible()

    hq = await web.person("hq.tran", "hq")
    await hq.goto("/directives/new")
    await hq.set_input_files("#directive-file", str(EXAMPLES / "directive-cells.yaml"))
    await hq.focus("#directive-file")
    await hq.keyboard.press("Tab")
    await hq.keyboard.press("Enter")
    await expect(hq.locator("#preview-heading")).to_be_visible()
    await hq.locator("text=Xác nhận ban hành").focus()
    await hq.keyboard.press("Enter")
    await expect(hq.locator("p.ok")).to_contain_text("Đã ban hành")

    await page.goto("/sign-in")
    await page.keyboard.press("Tab")  # the skip link
    await page.keyboard.press("Tab")  # the brand
    await page.keyboard.press("Tab")  # the language
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "login"
    await page.keyboard.type("don.hamluong")
    await page.keyboard.press("Tab")
    await page.keyboard.type("bến sông quê hương tôi")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/tasks")
    link = page.locator("a.button:has-text('Cử đảng viên')")
    await link.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/nominate")
    await page.focus("#resolution")
    await page.keyboard.type("16-NQ/ĐU")
    await page.keyboard.press("Tab")  # row 1: its cell (already the first open one)
    await page.keyboard.press("Tab")  # row 1: the member
    await page.keyboard.press("ArrowDown")  # the first of the post's members
    await page.focus("main form button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator("p.ok")).to_contain_text("Đã ghi nhận: 1")
