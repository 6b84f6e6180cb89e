"""`porch reindex`: rebuilds a type's search index, e.g. for a parameter added later."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from porch.access.context import AccessContext
from porch.record import repository, search
from porch.record.models import Compartment, DateIndex, ReferenceIndex, TokenIndex

pytestmark = pytest.mark.django_db


def dispense(ctx: AccessContext, when: str) -> str:
    resource = {
        "resourceType": "MedicationDispense",
        "status": "completed",
        "subject": {"reference": "Patient/ana"},
        "medicationCodeableConcept": {"text": "Lisinopril 10 mg"},
        "whenHandedOver": when,
    }
    return repository.create(ctx, resource).stored.id


def handed_over_since(ctx: AccessContext, date: str) -> list[str]:
    found = search.search(ctx, "MedicationDispense", [("whenhandedover", f"ge{date}")])
    return [r.id for r in found.matches]


def index_rows() -> list[int]:
    """How many index rows of each kind the dispenses have."""
    return [
        model.objects.filter(resource__resource_type="MedicationDispense").count()
        for model in (DateIndex, ReferenceIndex, TokenIndex, Compartment)
    ]


def test_it_rebuilds_the_index_rows_a_resource_lacks(system_ctx: AccessContext) -> None:
    repository.create(system_ctx, {"resourceType": "Patient", "id": "ana"}, fhir_id="ana")
    recent = dispense(system_ctx, "2026-10-01")
    dispense(system_ctx, "2020-01-01")
    written = index_rows()
    # As if the dispenses were stored before Porch indexed whenHandedOver.
    DateIndex.objects.filter(resource_type="MedicationDispense").delete()
    assert handed_over_since(system_ctx, "2026-01-01") == []

    out = io.StringIO()
    call_command("reindex", "MedicationDispense", stdout=out)

    assert "MedicationDispense: 2 resources reindexed" in out.getvalue()
    assert handed_over_since(system_ctx, "2026-01-01") == [recent]
    # The other rows (the patient reference, the compartment) are rebuilt, not doubled.
    found = search.search(system_ctx, "MedicationDispense", [("patient", "ana")])
    assert len(found.matches) == 2
    assert index_rows() == written  # a search would not tell a doubled row


def test_it_names_an_unknown_type() -> None:
    with pytest.raises(CommandError, match="not a resource type Porch indexes: Dispensary"):
        call_command("reindex", "Dispensary")
