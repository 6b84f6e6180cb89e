"""Create, read, vread, update, delete and history through /fhir, with versions and ETags."""

from __future__ import annotations

import pytest

from porch.fhirapi.tests.conftest import BASE, Api, body, diagnostics
from porch.tests.fhir_factories import observation, patient

pytestmark = pytest.mark.django_db


def _create_patient(api: Api, family: str = "Alvarez") -> str:
    response = api.post("/fhir/Patient", patient(family))
    assert response.status_code == 201, response.content
    return str(body(response)["id"])


def test_create_answers_201_with_location_etag_and_the_resource(api: Api) -> None:
    response = api.post("/fhir/Patient", patient())
    assert response.status_code == 201
    created = body(response)
    assert response["Location"] == f"{BASE}/Patient/{created['id']}/_history/1"
    assert response["ETag"] == 'W/"1"'
    assert response["Last-Modified"].endswith("GMT")
    assert created["meta"]["versionId"] == "1"
    assert created["name"] == patient()["name"]


def test_a_resource_goes_through_its_whole_life(api: Api) -> None:
    pid = _create_patient(api)
    read = api.get(f"/fhir/Patient/{pid}")
    assert read.status_code == 200 and read["ETag"] == 'W/"1"'
    assert body(read)["name"][0]["family"] == "Alvarez"

    updated = api.put(
        f"/fhir/Patient/{pid}", patient("Alvarez-Ruiz", id=pid), **{"If-Match": 'W/"1"'}
    )
    assert updated.status_code == 200 and updated["ETag"] == 'W/"2"'
    assert body(api.get(f"/fhir/Patient/{pid}"))["name"][0]["family"] == "Alvarez-Ruiz"
    assert body(api.get(f"/fhir/Patient/{pid}/_history/1"))["name"][0]["family"] == "Alvarez"

    assert api.delete(f"/fhir/Patient/{pid}").status_code == 204
    assert api.delete(f"/fhir/Patient/{pid}").status_code == 204
    gone = api.get(f"/fhir/Patient/{pid}")
    assert gone.status_code == 410
    assert "deleted" in diagnostics(gone)

    history = body(api.get(f"/fhir/Patient/{pid}/_history"))
    assert history["type"] == "history" and history["total"] == 3
    methods = [(e["request"]["method"], e["response"]["etag"]) for e in history["entry"]]
    assert methods == [("DELETE", 'W/"3"'), ("PUT", 'W/"2"'), ("POST", 'W/"1"')]
    assert "resource" not in history["entry"][0]
    assert history["entry"][1]["fullUrl"] == f"{BASE}/Patient/{pid}"


def test_update_of_a_new_id_creates_it(api: Api) -> None:
    response = api.put("/fhir/Patient/ana-1", patient(id="ana-1"))
    assert response.status_code == 201
    assert response["Location"] == f"{BASE}/Patient/ana-1/_history/1"
    assert api.get("/fhir/Patient/ana-1").status_code == 200


def test_a_stale_if_match_is_refused_with_412_and_nothing_is_stored(api: Api) -> None:
    pid = _create_patient(api)
    assert api.put(f"/fhir/Patient/{pid}", patient("Second", id=pid)).status_code == 200
    stale = api.put(f"/fhir/Patient/{pid}", patient("Lost update", id=pid), **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert "version 2" in diagnostics(stale)
    assert body(api.get(f"/fhir/Patient/{pid}"))["name"][0]["family"] == "Second"
    assert body(api.get(f"/fhir/Patient/{pid}/_history"))["total"] == 2


def test_a_stale_if_match_on_delete_is_refused(api: Api) -> None:
    pid = _create_patient(api)
    assert api.delete(f"/fhir/Patient/{pid}", **{"If-Match": 'W/"7"'}).status_code == 412
    assert api.get(f"/fhir/Patient/{pid}").status_code == 200


def test_read_with_the_current_etag_in_if_none_match_answers_304(api: Api) -> None:
    pid = _create_patient(api)
    assert api.get(f"/fhir/Patient/{pid}", **{"If-None-Match": 'W/"1"'}).status_code == 304


def test_unknown_id_and_version_answer_404(api: Api) -> None:
    pid = _create_patient(api)
    assert api.get("/fhir/Patient/nobody").status_code == 404
    assert api.get(f"/fhir/Patient/{pid}/_history/9").status_code == 404
    assert api.delete("/fhir/Patient/nobody").status_code == 404


def test_conditional_create_returns_the_existing_match_instead_of_a_copy(api: Api) -> None:
    mrn = {"identifier": [{"system": "urn:mrn", "value": "A-17"}]}
    header = {"If-None-Exist": "identifier=urn:mrn|A-17"}
    first = api.post("/fhir/Patient", patient(**mrn), **header)
    again = api.post("/fhir/Patient", patient(**mrn), **header)
    assert first.status_code == 201 and again.status_code == 200
    assert body(again)["id"] == body(first)["id"]
    assert api.total("Patient") == 1


def test_conditional_create_with_several_matches_is_refused_with_412(api: Api) -> None:
    mrn = {"identifier": [{"system": "urn:mrn", "value": "A-17"}]}
    api.post("/fhir/Patient", patient(**mrn))
    api.post("/fhir/Patient", patient(**mrn))
    response = api.post(
        "/fhir/Patient", patient(**mrn), **{"If-None-Exist": "identifier=urn:mrn|A-17"}
    )
    assert response.status_code == 412
    assert api.total("Patient") == 2


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ("return=minimal", None),
        ("return=representation", "Patient"),
        ("return=OperationOutcome", "OperationOutcome"),
    ],
)
def test_prefer_return_chooses_the_body_of_a_write(
    api: Api, preference: str, expected: str | None
) -> None:
    response = api.post("/fhir/Patient", patient(), Prefer=preference)
    assert response.status_code == 201 and response["ETag"] == 'W/"1"' and response["Location"]
    if expected is None:
        assert response.content == b""
    else:
        assert body(response)["resourceType"] == expected


def test_type_history_and_system_history_page_through_every_version(api: Api) -> None:
    pid = _create_patient(api)
    api.put(f"/fhir/Patient/{pid}", patient("Second", id=pid))
    api.post("/fhir/Observation", observation(pid))
    type_history = body(api.get("/fhir/Patient/_history"))
    assert type_history["total"] == 2
    seen: list[str] = []
    url: str | None = f"{BASE}/_history?_count=2"
    while url:
        page = body(api.follow(url))
        assert page["total"] == 3
        seen += [f"{e['fullUrl']}@{e['response']['etag']}" for e in page["entry"]]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert len(seen) == len(set(seen)) == 3


def test_history_refuses_parameters_it_would_otherwise_ignore(api: Api) -> None:
    response = api.get("/fhir/_history?_since=2024-01-01")
    assert response.status_code == 400
    assert "_since" in diagnostics(response)


def test_pretty_output_is_indented(api: Api) -> None:
    pid = _create_patient(api)
    assert b'\n  "' in api.get(f"/fhir/Patient/{pid}?_pretty=true").content
