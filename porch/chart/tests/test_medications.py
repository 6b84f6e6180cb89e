"""Active medications on the health summary with when each was last filled, from the
MedicationDispenses of the record, through HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, create
from porch.chart.tests.records import dispense, medication_request

pytestmark = pytest.mark.django_db


def last_filled(page: str) -> dict[str, str]:
    """Medication name -> what its "Last filled" cell says."""
    rows = re.findall(
        r'<tr><th scope="row">([^<]*)</th>.*?<td data-testid="last-filled">(.*?)</td></tr>', page
    )
    return {name: re.sub(r"<[^>]+>", "", cell) for name, cell in rows}


def test_the_summary_shows_when_each_medication_was_last_filled(cast: Cast) -> None:
    albuterol = medication_request("ana", "Albuterol", "435")
    dispense("ana", "2024-01-10T10:00:00Z", "435", albuterol)
    dispense("ana", "2024-03-05T10:00:00Z", "435", albuterol)
    dispense("ana", "2024-04-20T10:00:00Z", "435", albuterol, status="entered-in-error")
    dispense("ana", "2024-04-21T10:00:00Z", "435", albuterol, status="in-progress")
    # Renewed: the new prescription has no dispense yet, the old one of the same drug has.
    old = medication_request("ana", "Lisinopril", "29046", status="stopped")
    medication_request("ana", "Lisinopril", "29046")
    dispense("ana", "2023-12-01", "29046", old)
    medication_request("ana", "Metformin", "6809")
    # Mallory's fill of the same drug is not Ana's.
    dispense("mallory", "2024-06-01", "6809")
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "Last filled" in page
    assert last_filled(page) == {
        "Albuterol": "March 5, 2024",
        "Lisinopril": "Dec. 1, 2023",
        "Metformin": "Not known",
    }


def test_a_dispense_of_a_referenced_medication_counts_for_its_prescription(cast: Cast) -> None:
    medication = create(
        {"resourceType": "Medication", "code": {"text": "Insulin pen"}}, fhir_id="insulin"
    )
    insulin = medication_request(
        "ana", "", "", medicationReference={"reference": f"Medication/{medication}"}
    )
    dispense(
        "ana",
        "2024-02-02",
        prescription=insulin,
        medicationReference={"reference": "Medication/insulin"},
    )
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert last_filled(page) == {"Insulin pen": "Feb. 2, 2024"}


def test_a_record_without_dispenses_says_not_known(cast: Cast) -> None:
    medication_request("ana", "Albuterol", "435")
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert last_filled(page) == {"Albuterol": "Not known"}


def test_last_filled_is_in_spanish(cast: Cast) -> None:
    albuterol = medication_request("ana", "Albuterol", "435")
    dispense("ana", "2024-03-05", "435", albuterol)
    medication_request("ana", "Metformin", "6809")
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "Surtido por última vez" in page
    assert last_filled(page) == {"Albuterol": "5 de marzo de 2024", "Metformin": "No consta"}


def test_last_filled_takes_the_same_queries_for_one_fill_and_many(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    first = medication_request("ana", "Drug 0", "1000")
    dispense("ana", "2020-01-01", "1000", first)
    ana = client_of(cast.ana)
    ana.get("/summary/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as small:
        assert ana.get("/summary/").status_code == 200
    for i in range(1, 8):
        drug = medication_request("ana", f"Drug {i}", str(1000 + i))
        for month in range(1, 5):
            dispense("ana", f"2024-0{month}-0{i}", str(1000 + i), drug)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = ana.get("/summary/").content.decode()
    assert last_filled(page)["Drug 7"] == "April 7, 2024"
    assert last_filled(page)["Drug 0"] == "Jan. 1, 2020"


def test_a_visit_lists_its_medication_orders_still(cast: Cast) -> None:
    visit = create(
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "AMB"},
            "subject": {"reference": "Patient/ana"},
        }
    )
    medication_request("ana", "Amoxicillin", "723", encounter={"reference": f"Encounter/{visit}"})
    page = client_of(cast.ana).get(f"/visits/{visit}/").content.decode()
    assert "Amoxicillin" in page
