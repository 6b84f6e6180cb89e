"""Transaction and batch bundles: all-or-nothing, reference resolution, entry-named errors."""

from __future__ import annotations

from typing import Any

import pytest

from porch.access.context import AccessContext
from porch.record import bundles, repository, search
from porch.record.errors import FhirError, InvalidRequest, InvalidResource

pytestmark = pytest.mark.django_db

PATIENT_URN = "urn:uuid:11111111-2222-3333-4444-555555555555"


def post(resource: dict[str, Any], full_url: str | None = None, **request: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"], **request},
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def obs(subject: str, status: str = "final") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": status,
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": subject},
    }


def bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def count(ctx: AccessContext, resource_type: str) -> int:
    return search.search(ctx, resource_type, [("_summary", "count")]).total or 0


def test_a_transaction_resolves_urn_uuid_references(system_ctx: AccessContext) -> None:
    response = bundles.process(
        system_ctx,
        bundle(
            "transaction", post({"resourceType": "Patient"}, PATIENT_URN), post(obs(PATIENT_URN))
        ),
    )
    statuses = [e["response"]["status"] for e in response["entry"]]
    assert response["type"] == "transaction-response" and statuses == ["201 Created", "201 Created"]
    patient_ref = response["entry"][0]["fullUrl"]
    obs_id = response["entry"][1]["fullUrl"].split("/")[1]
    stored = repository.read(system_ctx, "Observation", obs_id)
    assert stored.content is not None and stored.content["subject"]["reference"] == patient_ref


def test_import_mode_keeps_urn_uuids_as_ids_so_a_second_run_changes_nothing(
    system_ctx: AccessContext,
) -> None:
    tx = bundle(
        "transaction", post({"resourceType": "Patient"}, PATIENT_URN), post(obs(PATIENT_URN))
    )
    first = bundles.process(system_ctx, tx, import_mode=True)
    assert first["entry"][0]["fullUrl"] == "Patient/11111111-2222-3333-4444-555555555555"
    tx = bundle(
        "transaction", post({"resourceType": "Patient"}, PATIENT_URN), post(obs(PATIENT_URN))
    )
    bundles.process(system_ctx, tx, import_mode=True)
    assert count(system_ctx, "Patient") == 1 and count(system_ctx, "Observation") == 0 + 1
    assert repository.history(system_ctx).total == 2


def test_a_transaction_that_fails_half_way_stores_nothing(system_ctx: AccessContext) -> None:
    tx = bundle(
        "transaction",
        post({"resourceType": "Patient"}, PATIENT_URN),
        post(obs(PATIENT_URN)),
        post(obs(PATIENT_URN, status="bogus")),
    )
    with pytest.raises(InvalidResource) as caught:
        bundles.process(system_ctx, tx)
    assert "Bundle.entry[2]" in str(caught.value)
    assert caught.value.issues[0].expression == "Bundle.entry[2].resource.status"
    assert repository.history(system_ctx).total == 0


def test_an_unresolvable_urn_uuid_reference_fails_the_transaction(
    system_ctx: AccessContext,
) -> None:
    tx = bundle(
        "transaction",
        post({"resourceType": "Patient"}, PATIENT_URN),
        post(obs("urn:uuid:99999999-0000-0000-0000-000000000000")),
    )
    with pytest.raises(InvalidResource, match=r"Bundle.entry\[1\].*no entry of this bundle"):
        bundles.process(system_ctx, tx)
    assert repository.history(system_ctx).total == 0


def test_conditional_references_resolve_to_the_single_match(system_ctx: AccessContext) -> None:
    org = {
        "resourceType": "Organization",
        "identifier": [{"system": "urn:org", "value": "7"}],
        "name": "Clinic",
    }
    org_id = repository.create(system_ctx, org).stored.id
    patient = {
        "resourceType": "Patient",
        "managingOrganization": {"reference": "Organization?identifier=urn:org|7"},
    }
    response = bundles.process(system_ctx, bundle("transaction", post(patient, PATIENT_URN)))
    stored = repository.read(system_ctx, "Patient", response["entry"][0]["fullUrl"].split("/")[1])
    assert stored.content is not None
    assert stored.content["managingOrganization"]["reference"] == f"Organization/{org_id}"


def test_a_conditional_reference_that_matches_nothing_fails(system_ctx: AccessContext) -> None:
    patient = {
        "resourceType": "Patient",
        "managingOrganization": {"reference": "Organization?identifier=urn:org|404"},
    }
    with pytest.raises(InvalidResource, match="matches no resource"):
        bundles.process(system_ctx, bundle("transaction", post(patient)))


def test_if_none_exist_in_a_transaction_reuses_the_match(system_ctx: AccessContext) -> None:
    org = {
        "resourceType": "Organization",
        "identifier": [{"system": "urn:org", "value": "7"}],
        "name": "Clinic",
    }
    existing = repository.create(system_ctx, org).stored
    urn = "urn:uuid:22222222-2222-3333-4444-555555555555"
    patient = {"resourceType": "Patient", "managingOrganization": {"reference": urn}}
    response = bundles.process(
        system_ctx,
        bundle(
            "transaction", post(dict(org), urn, ifNoneExist="identifier=urn:org|7"), post(patient)
        ),
    )
    assert response["entry"][0]["response"]["status"] == "200 OK"
    assert count(system_ctx, "Organization") == 1
    stored = repository.read(system_ctx, "Patient", response["entry"][1]["fullUrl"].split("/")[1])
    assert (
        stored.content is not None
        and stored.content["managingOrganization"]["reference"] == existing.reference
    )


def test_a_transaction_with_a_stale_if_match_stores_nothing(system_ctx: AccessContext) -> None:
    repository.update(system_ctx, "Patient", "ana", {"resourceType": "Patient", "id": "ana"})
    repository.update(
        system_ctx, "Patient", "ana", {"resourceType": "Patient", "id": "ana", "gender": "female"}
    )
    put = {
        "resource": {"resourceType": "Patient", "id": "ana", "gender": "male"},
        "request": {"method": "PUT", "url": "Patient/ana", "ifMatch": 'W/"1"'},
    }
    with pytest.raises(FhirError) as caught:
        bundles.process(system_ctx, bundle("transaction", post({"resourceType": "Patient"}), put))
    assert caught.value.status == 412
    assert count(system_ctx, "Patient") == 1


def test_a_batch_runs_each_entry_on_its_own(system_ctx: AccessContext) -> None:
    response = bundles.process(
        system_ctx,
        bundle(
            "batch",
            post({"resourceType": "Patient"}),
            post(obs("Patient/x", status="bogus")),
            post({"resourceType": "Patient"}),
        ),
    )
    statuses = [e["response"]["status"] for e in response["entry"]]
    assert statuses[0] == "201 Created" and statuses[2] == "201 Created"
    assert statuses[1].startswith("400")
    outcome = response["entry"][1]["response"]["outcome"]
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[1].resource.status"]
    assert count(system_ctx, "Patient") == 2


def test_delete_and_read_entries_in_a_transaction(system_ctx: AccessContext) -> None:
    repository.update(system_ctx, "Patient", "gone", {"resourceType": "Patient", "id": "gone"})
    repository.update(system_ctx, "Patient", "kept", {"resourceType": "Patient", "id": "kept"})
    response = bundles.process(
        system_ctx,
        bundle(
            "transaction",
            {"request": {"method": "DELETE", "url": "Patient/gone"}},
            {"request": {"method": "GET", "url": "Patient/kept"}},
        ),
    )
    assert [e["response"]["status"] for e in response["entry"]] == ["204 No Content", "200 OK"]
    assert response["entry"][1]["resource"]["id"] == "kept"
    assert count(system_ctx, "Patient") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"resourceType": "Patient"}, "Expected a Bundle"),
        ({"resourceType": "Bundle", "type": "collection"}, "only transaction and batch"),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": {"resourceType": "Patient"}}],
            },
            "request",
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "request": {"method": "PUT", "url": "Patient"},
                        "resource": {"resourceType": "Patient"},
                    }
                ],
            },
            "Type/id",
        ),
    ],
)
def test_malformed_bundles_are_refused_with_a_named_problem(
    system_ctx: AccessContext, body: dict[str, Any], message: str
) -> None:
    with pytest.raises((InvalidRequest, InvalidResource), match=message):
        bundles.process(system_ctx, body)


def test_import_mode_keeps_an_unmatched_conditional_reference_as_a_logical_one(
    system_ctx: AccessContext,
) -> None:
    ref = "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|999"
    patient = {
        "resourceType": "Patient",
        "generalPractitioner": [{"reference": ref, "display": "Dr. X"}],
    }
    response = bundles.process(
        system_ctx, bundle("transaction", post(patient, PATIENT_URN)), import_mode=True
    )
    warning = response["entry"][0]["response"]["outcome"]["issue"][0]
    assert warning["severity"] == "warning" and ref in warning["diagnostics"]
    stored = repository.read(system_ctx, "Patient", PATIENT_URN.removeprefix("urn:uuid:"))
    assert stored.content is not None
    assert stored.content["generalPractitioner"] == [
        {
            "type": "Practitioner",
            "identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "999"},
            "display": "Dr. X",
        }
    ]


def test_a_transaction_that_changes_one_resource_twice_is_refused_naming_both(
    system_ctx: AccessContext,
) -> None:
    put = {
        "resource": {"resourceType": "Patient", "id": "ana"},
        "request": {"method": "PUT", "url": "Patient/ana"},
    }
    with pytest.raises(
        InvalidRequest, match=r"Bundle.entry\[0\] and Bundle.entry\[1\] both change Patient/ana"
    ):
        bundles.process(system_ctx, bundle("transaction", put, put))
    assert count(system_ctx, "Patient") == 0


def test_absolute_request_urls_and_typed_if_none_exist_are_read_relative_to_the_base(
    system_ctx: AccessContext,
) -> None:
    org = {
        "resourceType": "Organization",
        "identifier": [{"system": "urn:org", "value": "7"}],
        "name": "Clinic",
    }
    repository.create(system_ctx, dict(org))
    entries = (
        {
            "resource": {"resourceType": "Patient", "id": "ana"},
            "request": {"method": "PUT", "url": "http://elsewhere.example/fhir/Patient/ana"},
        },
        post(dict(org), ifNoneExist="Organization?identifier=urn:org|7"),
    )
    outcomes: list[str] = []
    bundles.process(system_ctx, bundle("transaction", *entries), outcomes=outcomes)
    assert outcomes == ["created", "exists"]
    assert repository.read(system_ctx, "Patient", "ana").id == "ana"
    assert count(system_ctx, "Organization") == 1


def test_outcomes_tell_an_unchanged_resource_from_a_new_version(system_ctx: AccessContext) -> None:
    def put(gender: str) -> dict[str, Any]:
        return {
            "resource": {"resourceType": "Patient", "id": "ana", "gender": gender},
            "request": {"method": "PUT", "url": "Patient/ana"},
        }

    for gender, expected in (("female", "created"), ("female", "unchanged"), ("other", "updated")):
        outcomes: list[str] = []
        bundles.process(system_ctx, bundle("transaction", put(gender)), outcomes=outcomes)
        assert outcomes == [expected]
