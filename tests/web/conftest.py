"""The web app in a real browser: Playwright driving Debian's Chromium (``make test`` installs it when missing),
against the app served by uvicorn on a real PostgreSQL and a time-skipping Temporal server (the API's fixture)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from app import accounts
from phancong.vendor import PACKAGES
from tests.api.conftest import HQ, Api, api  # noqa: F401 (the API's fixture serves the web app too)

CHROMIUM = os.environ.get("PHANCONG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("PHANCONG_SCREENSHOTS", "")) if os.environ.get("PHANCONG_SCREENSHOTS") else None
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        found = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"], headless=True)
        try:
            yield found
        finally:
            await found.close()


@dataclass
class Web:
    api: Api
    browser: Browser
    contexts: list[BrowserContext]
    viewport: ViewportSize
    secrets: dict[str, str | None] = field(default_factory=dict)  # each person's authenticator key

    async def page(self, *, bypass_csp: bool = False) -> Page:
        context = await self.browser.new_context(
            base_url=self.api.base, viewport=self.viewport, bypass_csp=bypass_csp, locale="vi-VN"
        )
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        page = await context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems  # type: ignore[attr-defined]
        return page

    async def enrol(self, page: Page, link: str, password: str) -> str | None:
        """Enrol from the link as a person would: the page shows the key; the authenticator's code is typed."""
        await page.goto(link)
        secret = (await page.locator("#totp-secret").inner_text()).strip()
        required = await page.locator("#code[required]").count() > 0
        await page.fill("#password", password)
        if required:
            await page.fill("#code", self.api.code(secret))
        await page.click("main button[type=submit]")
        await page.wait_for_selector("p.ok")
        return secret if required else None

    async def sign_in(self, page: Page, login: str, password: str, secret: str | None) -> None:
        await page.goto("/sign-in")
        await page.fill("#login", login)
        await page.fill("#password", password)
        if secret:
            await page.fill("#code", self.api.code(secret))
        await page.click("main button[type=submit]")
        await page.wait_for_url("**/tasks")

    async def person(self, login: str, *scopes: str) -> Page:
        """Someone HQ made an account for, enrolled and signed in, in a browser of their own."""
        made = await accounts.create(self.api.services, HQ, login, f"Cán bộ {login}", list(scopes))
        page = await self.page()
        password = f"mật khẩu thật dài số {len(login) * 7919}"
        secret = await self.enrol(page, f"/enrol/{made.token}", password)
        self.secrets[login] = secret
        await self.sign_in(page, login, password, secret)
        return page

    async def shot(self, page: Page, name: str) -> None:
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture
async def web(api: Api, browser: Browser) -> AsyncIterator[Web]:  # noqa: F811
    found = Web(api, browser, [], DESKTOP)
    try:
        yield found
    finally:
        for context in found.contexts:
            await context.close()


def axe_source() -> str:
    return PACKAGES["axe"].target.read_text(encoding="utf-8")
