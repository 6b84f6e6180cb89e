"""The health summary's vitals charts and the PDF download in a real browser (Debian's
Chromium, porch.tests.browser)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from porch.access.tests.records import Cast, build_cast
from porch.accounts.models import User
from porch.accounts.tests.cast import ANA
from porch.chart.tests.records import dispense, every_vital, medication_request, summary_entries
from porch.tests.browser import assert_accessible, sign_in
from porch.tests.test_journeys import reauthenticate_if_asked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(db: None) -> Cast:
    cast = build_cast()
    summary_entries("ana", n=2)
    every_vital("ana", 30)  # more than a chart shows
    albuterol = medication_request("ana", "Albuterol", "435")
    dispense("ana", "2024-03-05", "435", albuterol)
    return cast


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_summary_with_its_vitals_charts_passes_axe(
    cast: Cast, new_page: Callable[[str], Page], language: str, width: str, live_server: Any
) -> None:
    page = new_page(width)
    User.objects.filter(pk=cast.ana.pk).update(language=language)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    sign_in(page, ANA)
    page.goto("/summary/")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.get_by_test_id("vital-trend")).to_have_count(4)
    expect(page.get_by_test_id("trend-chart")).to_have_count(5)  # two for blood pressure
    expect(page.get_by_role("img", name=re.compile("Systolic|Sistólica"))).to_be_visible()
    chart = page.get_by_test_id("trend-chart").first.bounding_box()
    assert chart is not None and chart["width"] <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)


def test_a_patient_downloads_the_summary_as_a_pdf(cast: Cast, page: Page, tmp_path: Path) -> None:
    sign_in(page, ANA)
    page.goto("/record/download/")
    reauthenticate_if_asked(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Download my record")
    expect(page.get_by_test_id("no-pdf")).to_have_count(0)
    page.get_by_label("All of my record").check()
    page.get_by_label("Summary as a PDF file").check()
    with page.expect_download() as info:
        page.locator("main form").get_by_role("button", name="Download").click()
    download = info.value
    assert re.fullmatch(r"record-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    content = target.read_bytes()
    assert content.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Patient: Ana Alvarez" in text
    assert "Asthma 1" in text and "Influenza 0" in text
