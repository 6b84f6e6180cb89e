"""Download my record: a FHIR Bundle and a printable summary, recorded in the audit log."""

from __future__ import annotations

import orjson
import pytest
from django.test import Client

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.accounts.tests.cast import PASSWORD, sign_in
from porch.audit.models import Action, AuditEvent
from porch.chart.tests.records import encounter, summary_entries
from porch.record.validation import validate_resource

pytestmark = pytest.mark.django_db


def _signed_in(email: str) -> Client:
    """Signed in with the password entered just now, as downloads ask."""
    client = Client()
    sign_in(client, email)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _bundle(client: Client, query: str = "range=all&format=json") -> dict:  # type: ignore[type-arg]
    response = client.get(f"/record/download/?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith('attachment; filename="record-')
    return orjson.loads(response.content)  # type: ignore[no-any-return]


def _ids(bundle: dict) -> set[str]:  # type: ignore[type-arg]
    return {e["resource"]["id"] for e in bundle["entry"]}


def test_the_download_asks_for_recent_sign_in(cast: Cast) -> None:
    response = client_of(cast.ana).get("/record/download/?range=all&format=json")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_ana_downloads_her_record_as_a_valid_fhir_bundle(cast: Cast) -> None:
    summary_entries("ana")
    ana = _signed_in("ana@example.org")
    assert ana.get("/record/download/").status_code == 200  # the form
    bundle = _bundle(ana)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert validate_resource(bundle) == []
    for entry in bundle["entry"]:
        assert validate_resource(entry["resource"]) == [], entry["resource"]["resourceType"]
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Condition", "MedicationRequest", "Immunization", "CareTeam"} <= types
    assert cast.plain["ana"] in _ids(bundle)
    assert not {cast.plain["mallory"], "mallory", "teo"} & _ids(bundle)
    event = AuditEvent.objects.filter(action=Action.DOWNLOAD).get()
    assert (event.patient_id, event.user_id) == ("ana", cast.ana.pk)
    activity = ana.get("/record/activity/").content.decode()
    assert "downloaded" in activity


def test_a_date_range_keeps_the_entries_in_it(cast: Cast) -> None:
    early = encounter("ana", "2020-02-01T09:00:00Z")
    late = encounter("ana", "2024-02-01T09:00:00Z")
    ana = _signed_in("ana@example.org")
    bundle = _bundle(ana, "range=dates&start=2023-01-01&end=2024-12-31&format=json")
    assert late in _ids(bundle)
    assert early not in _ids(bundle)
    assert "ana" in _ids(bundle)  # the Patient has no date to filter by


def test_a_bad_date_range_is_refused_with_the_form(cast: Cast) -> None:
    ana = _signed_in("ana@example.org")
    response = ana.get("/record/download/?range=dates&start=2024-01-01&end=2023-01-01&format=json")
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD).exists()


def test_the_printable_summary(cast: Cast) -> None:
    summary_entries("ana")
    ana = _signed_in("ana@example.org")
    response = ana.get("/record/download/?range=all&format=html")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Asthma 0" in page and "Influenza 0" in page
    assert "chart/print.css" in page
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="ana").count() == 1


def test_a_parent_downloads_a_teens_record_without_confidential_items(cast: Cast) -> None:
    ben = _signed_in("ben@example.org")
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    ids = _ids(_bundle(ben))
    assert cast.plain["teo"] in ids
    assert cast.confidential["teo"] not in ids
    assert cast.labelled["teo"] not in ids
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="teo").count() == 1


def test_mallory_cannot_download_anas_record(cast: Cast) -> None:
    mallory = _signed_in("mallory@example.org")
    assert mallory.post("/records/open/", {"patient": "ana"}).status_code == 404
    ids = _ids(_bundle(mallory))
    assert "mallory" in ids
    assert "ana" not in ids and cast.plain["ana"] not in ids
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="ana").exists()
