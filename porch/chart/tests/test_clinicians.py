"""The clinicians' patient search and chart."""

from __future__ import annotations

import pytest

from porch.access.rules import SESSION_KEY
from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, patient_resource, system
from porch.chart.tests.records import summary_entries
from porch.record import repository

pytestmark = pytest.mark.django_db

MRN = "urn:oid:1.2.3.4"


def _with_identifier(patient_id: str, value: str) -> None:
    stored = repository.read(system(), "Patient", patient_id)
    content = {**(stored.content or {}), "identifier": [{"system": MRN, "value": value}]}
    repository.update(system(), "Patient", patient_id, content)


def test_dr_cruz_finds_her_patients_by_name_birth_date_and_identifier(cast: Cast) -> None:
    _with_identifier("ana", "MRN-ANA")
    cruz = client_of(cast.cruz)
    assert "/clinician/patients/ana/" in cruz.get("/clinician/patients/?q=alvarez").content.decode()
    birth = patient_resource("ana")["birthDate"]
    assert (
        "/clinician/patients/ana/" in cruz.get(f"/clinician/patients/?q={birth}").content.decode()
    )
    assert "/clinician/patients/ana/" in cruz.get("/clinician/patients/?q=MRN-ANA").content.decode()


def test_the_search_never_finds_someone_elses_patient_by_name(cast: Cast) -> None:
    page = client_of(cast.cruz).get("/clinician/patients/?q=moss").content.decode()
    assert "/clinician/patients/mallory/" not in page
    assert "break-glass" not in page


def test_an_exact_identifier_of_someone_elses_patient_offers_break_the_glass(cast: Cast) -> None:
    _with_identifier("mallory", "MRN-MAL")
    page = client_of(cast.cruz).get("/clinician/patients/?q=MRN-MAL").content.decode()
    assert "/chart/mallory/break-glass/" in page
    assert "Moss" not in page  # the name is not shown
    assert "/clinician/patients/mallory/" not in page


def test_dr_diaz_finds_nobody_and_patients_find_no_such_page(cast: Cast) -> None:
    assert "/clinician/patients/ana/" not in (
        client_of(cast.diaz).get("/clinician/patients/?q=alvarez").content.decode()
    )
    assert client_of(cast.ana).get("/clinician/patients/?q=alvarez").status_code == 404
    assert client_of(cast.fran).get("/clinician/patients/?q=alvarez").status_code == 404


def test_dr_cruz_opens_anas_chart(cast: Cast) -> None:
    summary_entries("ana")
    cruz = client_of(cast.cruz)
    response = cruz.get("/clinician/patients/ana/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Asthma 0" in page and "Albuterol 0" in page
    assert cruz.session[SESSION_KEY] == "ana"
    assert "Asthma 0" in cruz.get("/summary/").content.decode()


def test_dr_cruz_cannot_open_a_chart_that_is_not_hers(cast: Cast) -> None:
    summary_entries("mallory")
    cruz = client_of(cast.cruz)
    assert cruz.get("/clinician/patients/mallory/").status_code == 404
    assert client_of(cast.diaz).get("/clinician/patients/ana/").status_code == 404
    assert SESSION_KEY not in cruz.session
