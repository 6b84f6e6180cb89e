"""Ana's calendar feed in a real browser: from the appointments page she makes a feed,
sees its address once with a webcal link, and a calendar app reads it; the pages pass
the accessibility checks."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from porch.access.tests.records import build_cast
from porch.accounts.tests.cast import ANA
from porch.calendars.tests.records import appointment, events, uid
from porch.tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ana_makes_a_calendar_feed_from_her_appointments_page(page: Page) -> None:
    build_cast()
    fhir_id = appointment("ana")

    sign_in(page, ANA)
    page.goto("/appointments/")
    with page.expect_navigation():
        page.get_by_test_id("calendar-feed").click()
    expect(page.get_by_test_id("feed-state")).to_contain_text("There is no calendar feed")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Make a calendar feed").click()
    address = page.get_by_label("Calendar feed address").input_value()
    assert "/calendar/" in address and address.endswith(".ics")
    webcal = page.get_by_test_id("webcal").get_attribute("href") or ""
    assert webcal == "webcal://" + address.split("://", 1)[1]
    assert_accessible(page)

    path = "/" + address.split("://", 1)[1].split("/", 1)[1]
    feed = Client().get(path)
    assert feed.status_code == 200 and set(events(feed.content)) == {uid(fhir_id)}

    page.goto("/calendar-feed/")
    expect(page.get_by_test_id("feed-state")).to_contain_text(
        "A calendar feed of this record is on"
    )
    assert address not in page.content()
