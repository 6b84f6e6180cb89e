"""The health summary and the printable immunization record, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.chart.tests.records import summary_entries

pytestmark = pytest.mark.django_db


def test_ana_sees_her_health_summary(cast: Cast) -> None:
    summary_entries("ana")
    page = client_of(cast.ana).get("/summary/").content.decode()
    for text in (
        "Asthma 0",
        "Sprained ankle 0",
        "Albuterol 0",
        "Take 2 puffs, 4 times a day",
        "Ada Cruz",  # prescriber and care team, from the included Practitioner
        "Peanuts 0",
        "Hives",
        "moderate",
        "Influenza 0",
        "120/80 mmHg",
        "70 kg",
        "Appendectomy 0",
        "Asthma plan 0",
        "Walk daily 0",
    ):
        assert text in page, text
    active, past = page.index("Active problems"), page.index("Past problems")
    assert active < page.index("Asthma 0") < past < page.index("Sprained ankle 0")


def test_the_summary_is_in_spanish(cast: Cast) -> None:
    summary_entries("ana")
    cast.ana.language = "es"  # the language stored on her account (porch.i18n)
    cast.ana.save(update_fields=["language"])
    ana = client_of(cast.ana)
    page = ana.get("/summary/").content.decode()
    assert "Resumen de salud" in page
    assert "Alergias" in page
    assert "Tomar 2 puffs, 4 veces al día" in page


def test_the_summary_makes_the_same_queries_for_a_small_and_a_larger_record(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    summary_entries("ana", n=1)
    ana = client_of(cast.ana)
    ana.get("/summary/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as small:
        assert ana.get("/summary/").status_code == 200
    summary_entries("ana", n=6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = ana.get("/summary/").content.decode()
    assert "Asthma 5" in page


def test_mallory_sees_only_her_own_summary(cast: Cast) -> None:
    summary_entries("ana")
    mallory = client_of(cast.mallory)
    assert mallory.post("/records/open/", {"patient": "ana"}).status_code == 404
    page = mallory.get("/summary/").content.decode()
    assert "Asthma 0" not in page
    assert "Peanuts 0" not in page


def test_a_parent_of_a_teen_sees_no_confidential_problem(cast: Cast) -> None:
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    page = ben.get("/summary/").content.decode()
    assert "59621000" in page  # the plain condition, shown by its code
    assert "370143000" not in page  # the mental-health one is hidden


def test_the_printable_immunization_record(cast: Cast) -> None:
    summary_entries("ana", n=2)
    response = client_of(cast.ana).get("/summary/immunizations/print/")
    page = response.content.decode()
    assert "Influenza 0" in page and "Influenza 1" in page
    assert "Asthma 0" not in page
    assert page.index("Influenza 1") < page.index("Influenza 0")  # newest first


def test_someone_with_no_record_open_gets_not_found(cast: Cast) -> None:
    assert client_of(cast.fran).get("/summary/").status_code == 404
    assert client_of(cast.diaz).get("/summary/").status_code == 404


def test_the_navigation_links_to_the_summary_visits_and_download(cast: Cast) -> None:
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert 'href="/summary/" aria-current="page"' in page
    assert 'href="/visits/"' in page and 'href="/record/download/"' in page
    clinician = client_of(cast.cruz).get("/clinician/patients/").content.decode()
    assert 'href="/clinician/patients/" aria-current="page"' in clinician
