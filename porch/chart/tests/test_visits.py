"""Visits, their diagnoses, orders and notes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, create
from porch.chart.tests.records import encounter, note, visit_condition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%fake but enough\n"


def test_visits_are_listed_newest_first(cast: Cast) -> None:
    encounter("ana", "2023-01-05T09:00:00Z", "Flu visit")
    encounter("ana", "2024-03-01T09:00:00Z", "Annual check-up")
    page = client_of(cast.ana).get("/visits/").content.decode()
    assert page.index("Annual check-up") < page.index("Flu visit")


def test_a_visit_shows_diagnoses_orders_and_notes(cast: Cast) -> None:
    visit_id = encounter("ana", "2024-03-01T09:00:00Z")
    visit_condition("ana", visit_id)
    create(
        {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "order",
            "subject": {"reference": "Patient/ana"},
            "encounter": {"reference": f"Encounter/{visit_id}"},
            "code": {"text": "Chest X-ray"},
        }
    )
    note("ana", visit_id, "text/plain", "Rest & fluids <b>not bold</b>")
    note("ana", visit_id, "text/html", "<p>Seen <em>today</em></p><script>alert(1)</script>")
    pdf_note = note("ana", visit_id, "application/pdf", PDF)
    ana = client_of(cast.ana)
    page = ana.get(f"/visits/{visit_id}/").content.decode()
    assert "Viral sinusitis" in page
    assert "Chest X-ray" in page
    assert "<pre>Rest &amp; fluids &lt;b&gt;not bold&lt;/b&gt;</pre>" in page
    assert "<p>Seen <em>today</em></p>" in page
    assert "alert(1)" not in page
    link = f"/notes/{pdf_note}/attachment/?part=0"
    assert link in page
    response = ana.get(link)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ana.get(f"/notes/{pdf_note}/attachment/?part=1").status_code == 404


def test_mallory_cannot_open_anas_visit_or_note(cast: Cast) -> None:
    visit_id = encounter("ana", "2024-03-01T09:00:00Z")
    pdf_note = note("ana", visit_id, "application/pdf", PDF)
    mallory = client_of(cast.mallory)
    assert mallory.get(f"/visits/{visit_id}/").status_code == 404
    assert mallory.get(f"/notes/{pdf_note}/attachment/?part=0").status_code == 404
    assert mallory.get("/visits/no-such-visit/").status_code == 404
    assert "Check-up" not in mallory.get("/visits/").content.decode()


def test_the_visit_list_makes_the_same_queries_for_few_and_many_visits(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    encounter("ana", "2020-01-05T09:00:00Z")
    ana = client_of(cast.ana)
    ana.get("/visits/")
    with CaptureQueriesContext(connection) as few:
        assert ana.get("/visits/").status_code == 200
    for year in range(2010, 2020):
        encounter("ana", f"{year}-01-05T09:00:00Z")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert ana.get("/visits/").status_code == 200
