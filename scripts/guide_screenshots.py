"""Screenshots for the patient user guide (docs/user-guide.md): docs/screenshots/guide-*.png.

Not a test: it borrows the browser tests' fixtures (porch/tests/browser.py) and their data
(the access cast and the results test data, in a throwaway test database) to show the pages
a patient sees, so it needs no running demo:

    .venv/bin/python scripts/guide_screenshots.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import django
import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_capture(page: Any, new_page: Any) -> None:  # collected only when run by main()
    from porch.access.tests.records import BEN, build_cast
    from porch.accounts.tests.cast import ANA, PASSWORD
    from porch.chart.tests.records import encounter, summary_entries
    from porch.results.tests import data
    from porch.tests.browser import sign_in

    build_cast()
    data.build_results()
    summary_entries("ana")
    encounter("ana", "2024-02-01T09:00:00Z")
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(p: Any, name: str) -> None:
        path = OUT / f"guide-{name}.png"
        p.screenshot(path=str(path), full_page=True)
        print(path)

    page.goto("/accounts/login/")
    shot(page, "sign-in")
    sign_in(page, ANA)
    shot(page, "home")
    page.goto("/results/")
    shot(page, "results")
    page.goto("/results/panel/")
    shot(page, "report")
    page.goto("/summary/")
    shot(page, "summary")
    page.goto("/record/download/")
    if "/reauthenticate/" in page.url:
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.press('input[name="password"]', "Enter")
    shot(page, "download")
    with page.expect_download():
        page.locator("main form").get_by_role("button", name="Download").click()
    page.goto("/record/activity/")
    shot(page, "activity")

    phone = new_page("phone")
    sign_in(phone, ANA)
    phone.goto("/results/panel/")
    shot(phone, "report-phone")

    parent = new_page("desktop")
    sign_in(parent, BEN)
    parent.goto("/records/")
    shot(parent, "records")


def main() -> int:
    # The browser plugin imports models: Django must be set up before pytest loads it.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    args = [__file__, "-q", "-s", "-p", "no:cacheprovider", "-p", "porch.tests.browser"]
    return int(pytest.main([*args, *sys.argv[1:]]))


if __name__ == "__main__":
    sys.exit(main())
