"""Browser-test fixtures: Debian's Chromium driven by Playwright, against `live_server`.

Registered for every test by `pytest_plugins` in porch/conftest.py. Mark browser tests
`@pytest.mark.browser` (they run in `make test` like every other test; a missing
Chromium is an error there, not a skip).

    @pytest.mark.browser
    @pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
    def test_home(page: Page, live_server) -> None:
        sign_in(page, ANA)
        assert_accessible(page)

`page` opens at `live_server.url` (so `page.goto("/records/")` works), desktop width
unless parametrized; `new_page("phone")` opens another, cookie-free browser context.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from porch.accounts.tests.cast import PASSWORD

CHROMIUM = os.environ.get("PORCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {"width": 375, "height": 812},
    "desktop": {"width": 1280, "height": 800},
}
# WCAG 2.2 level A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 15_000

_axe = Axe()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module.

    Playwright's sync API runs an event loop in this thread, which makes Django refuse
    ORM calls "from an async context"; there is none really, so that check is switched
    off while the browser is up (per module, so other tests keep it).
    """
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: run `make install` (apt-get install chromium)"
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[[str], Page]]:
    """A factory: new_page("phone" | "desktop") opens a page in a fresh browser context."""
    contexts = []

    def make(width: str = "desktop") -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport=VIEWPORTS[width], locale="en-US"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, new_page: Callable[[str], Page]) -> Page:
    """A page at desktop width, or at `request.param` ("phone" / "desktop") when parametrized."""
    return new_page(getattr(request, "param", "desktop"))


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Signs in through the sign-in page and waits for the page it leads to."""
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.press('input[name="password"]', "Enter")
    assert "/accounts/login/" not in page.url, f"sign-in as {email} failed: {page.url}"


def sign_out(page: Page) -> None:
    """Uses the header's Sign out button (opening the phone menu first when it is closed)."""
    button = page.locator('header form[action$="/logout/"] button')
    if not button.is_visible():
        page.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        button.click()


def assert_accessible(page: Page) -> None:
    """Runs axe-core (WCAG 2.2 A and AA) on the page; fails listing every violation."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    violations = _axe.run(page, options=options).response["violations"]
    if violations:
        lines = [f"axe: {len(violations)} violation(s) on {page.url} ({page.viewport_size}):"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['failureSummary']}".replace("\n", " "))
        pytest.fail("\n".join(lines), pytrace=False)
