"""The results section of a clinician's chart (/clinician/patients/<id>/), through HTTP:
Dr. Cruz sees Ana's reports there, held ones marked, and releases one from the chart;
Dr. Diaz, not on Ana's care team, is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.rules import SESSION_KEY
from porch.access.tests.records import Cast
from porch.results.models import ResultRelease
from porch.results.queries import CHART_LIMIT
from porch.results.tests import data
from porch.results.tests.test_pages import client_for, page

pytestmark = pytest.mark.django_db

HELD_MARK = "Held — not yet visible to the patient"


def _section(html: str) -> str:
    start = html.index('data-testid="chart-results"')
    return html[start : html.index("</section>", start)]


@pytest.mark.usefixtures("held")
def test_dr_cruz_sees_anas_results_newest_first_with_the_held_one_marked(cast: Cast) -> None:
    section = _section(page(client_for(cast.cruz), "/clinician/patients/ana/"))
    assert section.index("Metabolic panel") < section.index("Basic metabolic panel")
    assert section.count('data-testid="held"') == 1  # the HIV test, and only it
    hiv_row = section[section.index("/results/hiv/") :]
    assert hiv_row.index(HELD_MARK) < hiv_row.index("</tr>")
    assert 'href="/results/"' in section  # the full list
    assert 'data-testid="new"' not in section  # "new" is the patient's, not the clinician's


@pytest.mark.usefixtures("held")
def test_dr_cruz_releases_a_held_result_from_the_chart_with_a_comment(cast: Cast) -> None:
    cruz = client_for(cast.cruz)
    page(cruz, "/clinician/patients/ana/")
    # The chart's link leads to the report, with the release form.
    report = page(cruz, "/results/hiv/")
    assert HELD_MARK in report and 'action="/results/hiv/release/"' in report
    response = cruz.post("/results/hiv/release/", {"comment": "Negative: nothing to do."})
    assert response.status_code == 302 and response["Location"] == "/results/hiv/"
    release = ResultRelease.objects.get(report_id="hiv")
    assert release.released_by == cast.cruz and release.comment == "Negative: nothing to do."

    assert 'data-testid="held"' not in _section(page(cruz, "/clinician/patients/ana/"))
    ana = page(client_for(cast.ana), "/results/hiv/")
    assert "Negative: nothing to do." in ana


@pytest.mark.usefixtures("held")
def test_dr_diaz_can_neither_open_anas_chart_nor_release_her_result(cast: Cast) -> None:
    diaz = client_for(cast.diaz)
    page(diaz, "/clinician/patients/ana/", 404)
    assert SESSION_KEY not in diaz.session
    assert diaz.post("/results/hiv/release/", {"comment": "x"}).status_code == 404
    # Even with Ana's record asked for in his session.
    diaz = client_for(cast.diaz, "ana")
    page(diaz, "/results/hiv/", 404)
    assert diaz.post("/results/hiv/release/", {"comment": "x"}).status_code == 404
    assert not ResultRelease.objects.exists()


def test_the_chart_shows_the_newest_reports_and_links_to_the_rest(cast: Cast) -> None:
    data.reports_for("elda", CHART_LIMIT + 5)
    section = _section(page(client_for(cast.cruz), "/clinician/patients/elda/"))
    assert section.count("<tr>") == CHART_LIMIT + 1  # the head and the newest reports
    assert "/results/elda-bulk-0/" in section
    assert f"/results/elda-bulk-{CHART_LIMIT + 4}/" not in section


def test_the_chart_makes_the_same_number_of_queries_for_1_or_15_reports(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    data.reports_for("elda", 1)
    cruz = client_for(cast.cruz)
    cruz.get("/clinician/patients/elda/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as few:
        assert _section(page(cruz, "/clinician/patients/elda/")).count("<tr>") == 2
    for i in range(14):
        when = data.at(30 + i)
        obs = data.create(data.observation("elda", "718-7", "Hemoglobin", 13, "g/dL", when))
        data.report("elda", "58410-2", "Blood count", when, [obs], f"elda-older-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(cruz, "/clinician/patients/elda/")
    assert _section(html).count("<tr>") == CHART_LIMIT + 1
