"""Teens' confidential items: hidden from a parent (12-17) in reads, searches and counts;
seen by the teen, their clinician, and by the parent of a younger child."""

from __future__ import annotations

import pytest

from porch.access.models import ConfidentialCode
from porch.access.tests.helpers import client_of, fhir, ids, total
from porch.access.tests.records import MENTAL_HEALTH_CODE, SNOMED, Cast

pytestmark = pytest.mark.django_db


def _open(client, patient_id: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/records/open/", {"patient": patient_id})
    assert response.status_code == 302


def test_the_seed_marks_depression_as_mental_health(db: None) -> None:
    code = ConfidentialCode.objects.get(system=SNOMED, code=MENTAL_HEALTH_CODE)
    assert code.category == ConfidentialCode.Category.MENTAL_HEALTH
    assert ConfidentialCode.objects.filter(
        system="http://hl7.org/fhir/sid/icd-10-cm", code="F32.9"
    ).exists()
    assert ConfidentialCode.objects.filter(category="sexual-reproductive").count() > 40
    assert ConfidentialCode.objects.filter(category="substance-use").count() > 20


def test_parent_of_a_teen_cannot_read_a_confidential_condition(cast: Cast) -> None:
    ben = client_of(cast.ben)
    _open(ben, "teo")
    assert fhir(ben, f"/fhir/Condition/{cast.plain['teo']}")[0] == 200
    assert fhir(ben, f"/fhir/Condition/{cast.confidential['teo']}")[0] == 404
    assert fhir(ben, f"/fhir/Condition/{cast.labelled['teo']}")[0] == 404


def test_parent_of_a_teen_finds_no_confidential_condition_in_search_or_count(cast: Cast) -> None:
    ben = client_of(cast.ben)
    _open(ben, "teo")
    status, bundle = fhir(ben, "/fhir/Condition?patient=teo")
    assert status == 200
    assert ids(bundle) == {cast.plain["teo"]}
    assert total(ben, "/fhir/Condition") == 1
    assert total(ben, f"/fhir/Condition?code={SNOMED}|{MENTAL_HEALTH_CODE}") == 0
    # Nor through an include of the patient's compartment.
    status, bundle = fhir(ben, "/fhir/Patient?_id=teo&_revinclude=Condition:subject")
    assert {e["resource"]["id"] for e in bundle["entry"]} == {"teo", cast.plain["teo"]}


def test_the_teen_sees_their_own_confidential_items(cast: Cast) -> None:
    teo = client_of(cast.teo)
    assert fhir(teo, f"/fhir/Condition/{cast.confidential['teo']}")[0] == 200
    assert fhir(teo, f"/fhir/Condition/{cast.labelled['teo']}")[0] == 200
    assert total(teo, "/fhir/Condition") == 3


def test_the_teens_clinician_sees_the_confidential_items(cast: Cast) -> None:
    cruz = client_of(cast.cruz)
    assert fhir(cruz, f"/fhir/Condition/{cast.confidential['teo']}")[0] == 200
    assert total(cruz, "/fhir/Condition?patient=teo") == 3


def test_parent_of_a_young_child_sees_everything(cast: Cast) -> None:
    ben = client_of(cast.ben)
    _open(ben, "carla")
    assert fhir(ben, f"/fhir/Condition/{cast.confidential['carla']}")[0] == 200
    assert fhir(ben, f"/fhir/Condition/{cast.labelled['carla']}")[0] == 200
    assert total(ben, "/fhir/Condition") == 3


def test_a_code_staff_add_is_hidden_from_the_next_request(cast: Cast) -> None:
    ben = client_of(cast.ben)
    _open(ben, "teo")
    assert total(ben, "/fhir/Condition") == 1
    ConfidentialCode.objects.create(system=SNOMED, code="59621000", category="mental-health")
    assert total(ben, "/fhir/Condition") == 0


def test_parent_of_a_teen_cannot_see_a_confidential_code_in_an_old_version(cast: Cast) -> None:
    from porch.access.tests.records import PLAIN_CODE, condition, system
    from porch.record import repository

    # The confidential Condition is later recoded to something plain: its first version
    # still names the confidential code, and old versions are not indexed.
    fhir_id = cast.confidential["teo"]
    recoded = condition("teo", PLAIN_CODE, id=fhir_id)
    repository.update(system(), "Condition", fhir_id, recoded)

    ben = client_of(cast.ben)
    _open(ben, "teo")
    assert fhir(ben, f"/fhir/Condition/{fhir_id}")[0] == 200
    assert fhir(ben, f"/fhir/Condition/{fhir_id}/_history/1")[0] == 404
    status, history = fhir(ben, f"/fhir/Condition/{fhir_id}/_history")
    assert status == 200
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2"]
    assert history["total"] == 1
    status, type_history = fhir(ben, "/fhir/Condition/_history")
    assert MENTAL_HEALTH_CODE not in str(type_history)

    teo = client_of(cast.teo)
    assert fhir(teo, f"/fhir/Condition/{fhir_id}/_history/1")[0] == 200
