"""Screenshots of Porch's pages for the README and the user guide: docs/screenshots/.

Run against a running demo (`make demo` in another terminal):

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]

Signs in as the demo patient (password from the demo's data directory) and saves the home page in English and Spanish at phone
(375 px) and desktop (1280 px) widths, full page.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS: dict[str, ViewportSize] = {
    "phone": {"width": 375, "height": 812},
    "desktop": {"width": 1280, "height": 800},
}


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.press('input[name="password"]', "Enter")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {email} at {page.url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="patient@demo.porch.example")
    parser.add_argument("--password", help="default: the demo's, from PORCH_DATA_DIR or var/")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not args.password:
        data_dir = Path(os.environ.get("PORCH_DATA_DIR") or OUT.parent.parent / "var")
        args.password = (data_dir / "demo-password").read_text().strip()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for language in ("en", "es"):
            for width, viewport in WIDTHS.items():
                context = browser.new_context(base_url=args.base, viewport=viewport)
                context.add_cookies(
                    [{"name": "django_language", "value": language, "url": args.base}]
                )
                page = context.new_page()
                _sign_in(page, args.email, args.password)
                # The language the screenshot is for, whatever the account had stored.
                page.request.post(
                    "/i18n/setlang/",
                    form={"language": language, "next": "/"},
                    headers={"X-CSRFToken": _csrf(page), "Referer": args.base + "/"},
                )
                page.goto("/")
                path = OUT / f"home-{language}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)
                context.close()
        browser.close()


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


if __name__ == "__main__":
    main()
