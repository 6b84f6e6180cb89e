"""The repository: versions, history, concurrency, validation and the compartment filter."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from porch.access.context import AccessContext
from porch.record import repository
from porch.record.errors import Forbidden, Gone, InvalidResource, NotFound, PreconditionFailed
from porch.tests.fhir_factories import observation, patient

pytestmark = pytest.mark.django_db


def test_create_assigns_an_id_and_the_first_version(system_ctx: AccessContext) -> None:
    outcome = repository.create(system_ctx, patient())
    stored = outcome.stored
    assert outcome.status == "created" and outcome.http_status == 201
    assert stored.version_id == 1 and len(stored.id) == 36
    assert stored.content is not None
    assert stored.content["meta"]["versionId"] == "1"
    assert stored.content["meta"]["lastUpdated"].endswith("Z")
    assert repository.read(system_ctx, "Patient", stored.id).content == stored.content


def test_reading_back_gives_what_was_written_apart_from_id_and_meta(
    system_ctx: AccessContext,
) -> None:
    original = patient(birthDate="1990-02-03", gender="female")
    stored = repository.create(system_ctx, copy.deepcopy(original)).stored
    back = dict(repository.read(system_ctx, "Patient", stored.id).content or {})
    back.pop("id"), back.pop("meta")
    assert back == original


def test_update_makes_a_new_version_and_keeps_the_old_one(system_ctx: AccessContext) -> None:
    first = repository.create(system_ctx, patient("Doe")).stored
    changed = patient("Roe", id=first.id)
    second = repository.update(system_ctx, "Patient", first.id, changed, if_match='W/"1"')
    assert second.status == "updated" and second.stored.version_id == 2
    old = repository.vread(system_ctx, "Patient", first.id, "1")
    assert old.content is not None and old.content["name"][0]["family"] == "Doe"
    versions = repository.history(system_ctx, "Patient", first.id).entries
    assert [v.version_id for v in versions] == [2, 1]


def test_an_update_naming_a_stale_version_is_refused_and_stores_nothing(
    system_ctx: AccessContext,
) -> None:
    first = repository.create(system_ctx, patient("Doe")).stored
    repository.update(
        system_ctx, "Patient", first.id, patient("Roe", id=first.id), if_match='W/"1"'
    )
    with pytest.raises(PreconditionFailed, match="version 2, not 1"):
        repository.update(
            system_ctx, "Patient", first.id, patient("Poe", id=first.id), if_match='W/"1"'
        )
    current = repository.read(system_ctx, "Patient", first.id)
    assert current.version_id == 2 and current.content is not None
    assert current.content["name"][0]["family"] == "Roe"
    assert repository.history(system_ctx, "Patient", first.id).total == 2


def test_an_identical_update_makes_no_new_version(system_ctx: AccessContext) -> None:
    first = repository.create(system_ctx, patient()).stored
    again = repository.update(system_ctx, "Patient", first.id, patient(id=first.id))
    assert again.status == "unchanged" and again.stored.version_id == 1


def test_update_as_create_uses_the_given_id(system_ctx: AccessContext) -> None:
    outcome = repository.update(system_ctx, "Patient", "ana-1", patient(id="ana-1"))
    assert outcome.status == "created" and outcome.stored.id == "ana-1"


def test_delete_keeps_history_and_reads_answer_gone(system_ctx: AccessContext) -> None:
    stored = repository.create(system_ctx, patient()).stored
    deleted = repository.delete(system_ctx, "Patient", stored.id)
    assert deleted is not None and deleted.stored.version_id == 2 and deleted.stored.deleted
    with pytest.raises(Gone):
        repository.read(system_ctx, "Patient", stored.id)
    with pytest.raises(Gone):
        repository.vread(system_ctx, "Patient", stored.id, "2")
    assert repository.vread(system_ctx, "Patient", stored.id, "1").content is not None
    assert repository.delete(system_ctx, "Patient", stored.id) is None
    history = repository.history(system_ctx, "Patient", stored.id)
    assert [(e.version_id, e.deleted) for e in history.entries] == [(2, True), (1, False)]
    recreated = repository.update(system_ctx, "Patient", stored.id, patient(id=stored.id))
    assert recreated.status == "created" and recreated.stored.version_id == 3


def test_unknown_ids_and_versions_are_not_found(system_ctx: AccessContext) -> None:
    with pytest.raises(NotFound):
        repository.read(system_ctx, "Patient", "nobody")
    stored = repository.create(system_ctx, patient()).stored
    for version in ("9", "x"):
        with pytest.raises(NotFound):
            repository.vread(system_ctx, "Patient", stored.id, version)


@pytest.mark.parametrize(
    ("resource", "expression", "fragment"),
    [
        (
            {"resourceType": "Observation", "status": "bogus", "code": {"text": "x"}},
            "Observation.status",
            "bogus",
        ),
        ({"resourceType": "Observation", "code": {"text": "x"}}, "Observation.status", "status"),
        ({"resourceType": "Patient", "birthDate": "1990-13-45"}, "Patient.birthDate", "1990-13-45"),
        ({"resourceType": "Patient", "colour": "blue"}, "Patient", "colour"),
    ],
)
def test_an_invalid_resource_is_refused_naming_path_and_problem(
    system_ctx: AccessContext, resource: dict[str, Any], expression: str, fragment: str
) -> None:
    with pytest.raises(InvalidResource) as caught:
        repository.create(system_ctx, resource)
    issues = caught.value.issues
    assert any(i.expression.startswith(expression) and fragment in i.diagnostics for i in issues), (
        issues
    )
    assert repository.history(system_ctx).total == 0


def test_a_body_of_the_wrong_type_or_id_is_refused(system_ctx: AccessContext) -> None:
    with pytest.raises(InvalidResource, match="resourceType"):
        repository.update(system_ctx, "Observation", "x", patient(id="x"))
    with pytest.raises(InvalidResource, match="id"):
        repository.update(system_ctx, "Patient", "x", patient(id="y"))
    with pytest.raises(InvalidResource, match="JSON object"):
        repository.create(system_ctx, ["not", "a", "resource"])


def test_conditional_create_returns_the_existing_match(system_ctx: AccessContext) -> None:
    ident = {"identifier": [{"system": "urn:mrn", "value": "123"}]}
    first = repository.create(system_ctx, patient(**ident))
    second = repository.create(system_ctx, patient(**ident), if_none_exist="identifier=urn:mrn|123")
    assert second.status == "exists" and second.stored.id == first.stored.id
    repository.create(system_ctx, patient(**ident))
    with pytest.raises(PreconditionFailed, match="more than one"):
        repository.create(system_ctx, patient(**ident), if_none_exist="identifier=urn:mrn|123")


def test_a_patient_context_reads_only_its_own_compartment(system_ctx: AccessContext) -> None:
    ana = repository.update(system_ctx, "Patient", "ana", patient("Ana", id="ana")).stored
    repository.update(system_ctx, "Patient", "mallory", patient("Mallory", id="mallory"))
    ana_obs = repository.create(system_ctx, observation("ana")).stored
    mallory_obs = repository.create(system_ctx, observation("mallory")).stored
    doctor = repository.create(
        system_ctx, {"resourceType": "Practitioner", "name": [{"family": "Cruz"}]}
    ).stored
    as_ana = AccessContext.for_patients("test:ana", frozenset({"ana"}), purpose="test")
    assert repository.read(as_ana, "Patient", ana.id).id == "ana"
    assert repository.read(as_ana, "Observation", ana_obs.id).id == ana_obs.id
    assert repository.read(as_ana, "Practitioner", doctor.id).id == doctor.id
    for resource_type, fhir_id in (("Patient", "mallory"), ("Observation", mallory_obs.id)):
        with pytest.raises(NotFound):
            repository.read(as_ana, resource_type, fhir_id)
        with pytest.raises(NotFound):
            repository.history(as_ana, resource_type, fhir_id)
    seen = {e.id for e in repository.history(as_ana).entries}
    assert mallory_obs.id not in seen and "mallory" not in seen and ana_obs.id in seen


def test_a_read_only_context_cannot_write(system_ctx: AccessContext) -> None:
    repository.update(system_ctx, "Patient", "ana", patient(id="ana"))
    as_ana = AccessContext.for_patients("test:ana", frozenset({"ana"}), purpose="test")
    with pytest.raises(Forbidden):
        repository.create(as_ana, observation("ana"))


def test_a_patient_context_cannot_write_into_another_compartment(system_ctx: AccessContext) -> None:
    as_ana = AccessContext.for_patients(
        "test:ana", frozenset({"ana"}), purpose="test", may_write=True
    )
    assert repository.create(as_ana, observation("ana")).status == "created"
    with pytest.raises(Forbidden):
        repository.create(as_ana, observation("mallory"))
