"""Search through /fhir: searchset Bundles, paging links, POST _search, handling, _elements."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from porch.fhirapi.tests.conftest import BASE, Api, body, diagnostics
from porch.tests.fhir_factories import observation, patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_with_readings(api: Api) -> str:
    """Ana (a patient) with seven blood-pressure readings, 120 to 126 mmHg."""
    pid = str(body(api.post("/fhir/Patient", patient("Alvarez")))["id"])
    for value in range(120, 127):
        assert api.post("/fhir/Observation", observation(pid, value)).status_code == 201
    return pid


def _link(bundle: dict, relation: str) -> str | None:
    return next((link["url"] for link in bundle["link"] if link["relation"] == relation), None)


def test_search_answers_a_searchset_with_total_and_full_urls(
    api: Api, ana_with_readings: str
) -> None:
    response = api.get(f"/fhir/Observation?subject=Patient/{ana_with_readings}")
    assert response.status_code == 200
    bundle = body(response)
    assert bundle["type"] == "searchset" and bundle["total"] == 7
    entry = bundle["entry"][0]
    assert entry["fullUrl"] == f"{BASE}/Observation/{entry['resource']['id']}"
    assert entry["search"] == {"mode": "match"}


def test_following_next_links_visits_every_match_once(api: Api, ana_with_readings: str) -> None:
    first = body(api.get(f"/fhir/Observation?subject=Patient/{ana_with_readings}&_count=3"))
    assert _link(first, "previous") is None
    self_query = dict(parse_qsl(urlsplit(_link(first, "self") or "").query))
    assert self_query == {"subject": f"Patient/{ana_with_readings}", "_count": "3", "_offset": "0"}
    ids: list[str] = []
    pages = 0
    bundle = first
    while True:
        pages += 1
        ids += [e["resource"]["id"] for e in bundle.get("entry", [])]
        url = _link(bundle, "next")
        if url is None:
            break
        bundle = body(api.follow(url))
        assert _link(bundle, "previous") is not None
    assert pages == 3
    assert len(ids) == len(set(ids)) == 7


def test_post_search_merges_form_and_query_parameters(api: Api, ana_with_readings: str) -> None:
    form = urlencode({"subject": f"Patient/{ana_with_readings}", "value-quantity": "ge124"})
    response = api.client.post(
        "/fhir/Observation/_search?_count=2", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    bundle = body(response)
    assert bundle["total"] == 3 and len(bundle["entry"]) == 2
    assert "value-quantity=ge124" in (_link(bundle, "next") or "")


def test_post_search_with_a_json_body_is_refused(api: Api) -> None:
    response = api.post("/fhir/Observation/_search", {"subject": "Patient/1"})
    assert response.status_code == 415


def test_strict_handling_refuses_an_unknown_parameter_by_name(api: Api) -> None:
    response = api.get("/fhir/Observation?colour=blue", Prefer="handling=strict")
    assert response.status_code == 400
    assert "colour" in diagnostics(response)


def test_lenient_handling_ignores_an_unknown_parameter_and_says_so(
    api: Api, ana_with_readings: str
) -> None:
    bundle = body(api.get("/fhir/Observation?colour=blue&_count=2"))
    assert bundle["total"] == 7
    outcomes = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert len(outcomes) == 1
    issue = outcomes[0]["resource"]["issue"][0]
    assert issue["severity"] == "warning" and "colour" in issue["diagnostics"]
    assert "colour" not in (_link(bundle, "self") or "")


def test_a_malformed_value_is_refused_even_when_lenient(api: Api) -> None:
    response = api.get("/fhir/Observation?date=yesterday")
    assert response.status_code == 400
    assert "date" in diagnostics(response)


def test_summary_count_answers_the_total_only(api: Api, ana_with_readings: str) -> None:
    bundle = body(api.get("/fhir/Observation?_summary=count"))
    assert bundle["total"] == 7
    assert "entry" not in bundle


def test_elements_keeps_only_the_named_elements_and_marks_them_subsetted(
    api: Api, ana_with_readings: str
) -> None:
    bundle = body(api.get("/fhir/Observation?_elements=status,code&_count=1"))
    resource = bundle["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "status", "code"}
    assert {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
        "code": "SUBSETTED",
        "display": "subsetted",
    } in resource["meta"]["tag"]
    assert "_elements=status%2Ccode" in (_link(bundle, "next") or "")


def test_include_adds_the_referenced_patient_as_an_include_entry(
    api: Api, ana_with_readings: str
) -> None:
    bundle = body(api.get("/fhir/Observation?_include=Observation:subject&_count=2"))
    modes = [(e["search"]["mode"], e["resource"]["resourceType"]) for e in bundle["entry"]]
    assert modes == [("match", "Observation"), ("match", "Observation"), ("include", "Patient")]


def test_search_of_an_unknown_type_is_404_naming_it(api: Api) -> None:
    response = api.get("/fhir/Spaceship?name=x")
    assert response.status_code == 404
    assert "Spaceship" in diagnostics(response)
