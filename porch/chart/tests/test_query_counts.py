"""The chart's other pages make as many queries for a larger record as for a small one
(the summary's own check is in test_summary.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.accounts.tests.cast import ANA, PASSWORD, sign_in
from porch.chart.tests.records import encounter, note, summary_entries, visit_condition

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    client.get(url)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _grow(patient_id: str, visit: str) -> None:
    """Five times the entries of every summary section, more visits, and more notes and
    diagnoses on the visit itself."""
    summary_entries(patient_id, n=6)
    for day in range(2, 8):
        encounter(patient_id, f"2024-03-0{day}T09:00:00Z")
        note(patient_id, visit, "text/plain", f"Note {day}")
        visit_condition(patient_id, visit)


@pytest.mark.parametrize(
    "url",
    [
        "/summary/immunizations/print/",
        "/visits/",
        "/visits/{visit}/",
        "/record/download/?range=all&format=html",
        "/record/download/?range=all&format=json",
    ],
)
def test_a_patient_page_makes_the_same_queries_for_a_larger_record(
    cast: Cast, url: str, django_assert_max_num_queries: Any
) -> None:
    summary_entries("ana", n=1)
    # One of each kind already, so the larger record differs in size only.
    visit = encounter("ana", "2024-02-01T09:00:00Z")
    note("ana", visit, "text/plain", "Rest and drink water.")
    visit_condition("ana", visit)
    ana = Client()
    sign_in(ana, ANA)
    assert ana.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    small = _queries(ana, url.format(visit=visit))
    _grow("ana", visit)
    with django_assert_max_num_queries(small):
        assert ana.get(url.format(visit=visit)).status_code == 200


@pytest.mark.parametrize("url", ["/clinician/patients/?q=Alvarez", "/clinician/patients/ana/"])
def test_a_clinician_page_makes_the_same_queries_for_a_larger_record(
    cast: Cast, url: str, django_assert_max_num_queries: Any
) -> None:
    summary_entries("ana", n=1)
    visit = encounter("ana", "2024-02-01T09:00:00Z")
    cruz = client_of(cast.cruz)
    small = _queries(cruz, url)
    _grow("ana", visit)
    summary_entries("carla", n=6)  # another of her patients grows too
    with django_assert_max_num_queries(small):
        assert cruz.get(url).status_code == 200
