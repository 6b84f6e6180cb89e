"""Ana's waitlist journey in a real browser: she asks for an earlier time from her
appointment page, Mallory cancels an earlier one, and Ana opens the offer from her
notifications and accepts it; her appointment page then shows the earlier time."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from porch.access.tests.helpers import client_of
from porch.access.tests.records import build_cast
from porch.accounts.tests.cast import ANA
from porch.scheduling.tests.records import build_clinic
from porch.tests.browser import assert_accessible, sign_in
from porch.waitlist.tests.records import booked, cancel, times

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ana_joins_the_waitlist_and_accepts_an_earlier_time(page: Page) -> None:
    cast = build_cast()
    slots = times(build_clinic(days=3))
    mallory = client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    ana_visit = booked(client_of(cast.ana), slots[4], "a")

    sign_in(page, ANA)
    page.goto(f"/appointments/{ana_visit}/")
    waitlist = page.get_by_test_id("waitlist")
    expect(waitlist.get_by_label("Only with the same clinician")).to_be_checked()
    with page.expect_navigation():
        waitlist.get_by_role("button", name="Ask for an earlier time").click()
    expect(page.get_by_test_id("waitlist-status")).to_contain_text("You are on the waitlist")
    assert_accessible(page)

    cancel(mallory, mallory_visit)

    page.goto("/notifications/")
    with page.expect_navigation():
        page.get_by_test_id("notifications").get_by_role(
            "link", name="Earlier appointment time offered"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("An earlier time for you")
    earlier = timezone.localtime(slots[0].starts_at).isoformat()
    expect(page.get_by_test_id("offered").locator("time")).to_have_attribute("datetime", earlier)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept this time").click()

    assert page.url.endswith(f"/appointments/{ana_visit}/")
    expect(page.get_by_text("Your appointment is now at the earlier time.")).to_be_visible()
    expect(page.get_by_test_id("visit").locator("time")).to_have_attribute("datetime", earlier)
