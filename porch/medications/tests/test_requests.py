"""A patient (or a proxy who may act) asks for a refill: the Task in the record, the
routing, one open request per medication, and every refusal."""

from __future__ import annotations

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.medications.models import RefillRequest, RefillStatus, SavedPharmacy
from porch.medications.tests.records import ask, latest
from porch.messaging.models import Pool
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.record import repository

pytestmark = pytest.mark.django_db


def test_ana_asks_for_a_refill_and_the_task_reaches_dr_cruz(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    response = ask(ana, "med-ana")
    assert response.status_code == 302 and response["Location"] == "/medications/refills/"
    row = latest()
    assert row.status == RefillStatus.REQUESTED and row.practitioner_id == "pr-cruz"
    assert row.pool == pools["nurses"] and not row.confidential
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["status"] == "requested" and task["intent"] == "order"
    assert task["focus"] == {"reference": "MedicationRequest/med-ana"}
    assert task["for"] == {"reference": "Patient/ana"}
    assert task["owner"] == {"reference": "Practitioner/pr-cruz"}
    assert task["requester"]["reference"] == "Patient/ana"
    assert task["note"][0]["text"] == "Running out on Friday"
    assert task["input"][0]["valueReference"]["reference"] == "Organization/pharm-main"
    assert task["authoredOn"]
    assert SavedPharmacy.objects.filter(patient_id="ana", organization_id="pharm-main").exists()
    notices = Notification.objects.filter(kind=Kind.REFILL_REQUEST)
    assert set(notices.values_list("recipient_id", flat=True)) == {cast.cruz.pk}
    page = ana.get("/medications/refills/").content.decode()
    assert "lisinopril 10 MG Oral Tablet" in page and "Requested" in page
    assert "Main Street Pharmacy" in page


def test_the_pharmacy_used_last_comes_first(cast: Cast, pools: dict[str, Pool]) -> None:
    ana = client_of(cast.ana)
    first = ana.get("/medications/med-ana/refill/").context["form"]
    assert [c[0] for c in first.fields["pharmacy"].choices] == ["pharm-corner", "pharm-main"]
    ask(ana, "med-ana", pharmacy="pharm-main")
    again = ana.get("/medications/med-ana-2/refill/").context["form"]
    assert [c[0] for c in again.fields["pharmacy"].choices] == ["pharm-main", "pharm-corner"]
    assert again.initial["pharmacy"] == "pharm-main"


def test_a_double_click_makes_one_request(cast: Cast, pools: dict[str, Pool]) -> None:
    ana = client_of(cast.ana)
    key = ana.get("/medications/med-ana/refill/").context["form"].initial["form_key"]
    data = {"pharmacy": "pharm-main", "note": "", "form_key": key}
    assert ana.post("/medications/med-ana/refill/", data).status_code == 302
    assert ana.post("/medications/med-ana/refill/", data).status_code == 302
    assert RefillRequest.objects.count() == 1
    assert repository.search(system(), "Task", [("patient", "ana")]).total == 1


def test_a_second_tab_is_told_a_request_is_already_waiting(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    first = ana.get("/medications/med-ana/refill/").context["form"].initial["form_key"]
    second = ana.get("/medications/med-ana/refill/").context["form"].initial["form_key"]
    ana.post("/medications/med-ana/refill/", {"pharmacy": "pharm-main", "form_key": first})
    response = ana.post(
        "/medications/med-ana/refill/", {"pharmacy": "pharm-main", "form_key": second}
    )
    assert response.status_code == 409
    assert "already requested" in response.content.decode()
    assert RefillRequest.objects.count() == 1
    assert repository.search(system(), "Task", [("patient", "ana")]).total == 1
    page = ana.get("/medications/med-ana/refill/").content.decode()
    assert 'data-testid="already-requested"' in page and "refill-form" not in page


def test_another_patients_medication_is_not_found(cast: Cast, pools: dict[str, Pool]) -> None:
    mallory = client_of(cast.mallory)
    assert mallory.get("/medications/med-ana/refill/").status_code == 404
    assert ask(mallory, "med-ana").status_code == 404
    assert mallory.get("/medications/no-such-thing/refill/").status_code == 404
    # Another resource type under the same id space is not a medication either.
    assert mallory.get(f"/medications/{cast.plain['mallory']}/refill/").status_code == 404
    assert RefillRequest.objects.count() == 0


def test_a_stopped_prescription_is_refused_with_a_clear_message(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    page = ana.get("/medications/med-ana-stopped/refill/").content.decode()
    assert "no longer active" in page and "refill-form" not in page
    response = ana.post(
        "/medications/med-ana-stopped/refill/",
        {"pharmacy": "pharm-main", "form_key": "6f1c2b8e-0000-4000-8000-000000000001"},
    )
    assert response.status_code == 409
    assert "no longer active" in response.content.decode()
    assert RefillRequest.objects.count() == 0


def test_bad_input_names_the_field(cast: Cast, pools: dict[str, Pool]) -> None:
    ana = client_of(cast.ana)
    response = ask(ana, "med-ana", pharmacy="pharm-elsewhere", note="x\x00y")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "pharmacy" in errors and "note" in errors
    assert ask(ana, "med-ana", form_key="not-a-key").status_code == 400
    assert RefillRequest.objects.count() == 0


def test_a_proxy_who_may_only_view_cannot_ask_and_one_who_may_act_can(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    page = ben.get("/medications/med-teo/refill/").content.decode()
    assert "refill-form" not in page and "permission to act" in page
    response = ben.post(
        "/medications/med-teo/refill/",
        {"pharmacy": "pharm-main", "form_key": "6f1c2b8e-0000-4000-8000-000000000002"},
    )
    assert response.status_code == 403
    assert RefillRequest.objects.count() == 0
    gil = client_of(cast.gil)
    assert ask(gil, "med-elda").status_code == 302
    task = repository.read(system(), "Task", latest().task_id).content or {}
    assert task["for"] == {"reference": "Patient/elda"}
    assert task["requester"]["display"]


def test_a_controlled_substance_goes_straight_to_visit_needed(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    assert ask(ana, "med-ana-oxy").status_code == 302
    row = latest()
    assert row.status == RefillStatus.VISIT_NEEDED
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["status"] == "rejected"
    assert task["businessStatus"]["coding"][0]["code"] == "visit-needed"
    assert task["statusReason"]["text"] == "Pain medicines of this kind are renewed at a visit."
    page = ana.get("/medications/refills/").content.decode()
    assert "Visit needed" in page and "renewed at a visit" in page
    assert 'href="/appointments/book/?visit_type=follow-up"' in page
    # Nothing for the care team to answer.
    assert not Notification.objects.filter(kind=Kind.REFILL_REQUEST).exists()
    assert "Acetaminophen" not in client_of(cast.cruz).get("/staff/refills/").content.decode()


def test_a_prescriber_without_an_account_routes_to_the_refill_pool(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana), "med-ana-locum")
    row = latest()
    assert row.pool == pools["nurses"] and row.practitioner_id == "pr-locum"
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["owner"]["identifier"]["value"] == "nurses"
    assert set(
        Notification.objects.filter(kind=Kind.REFILL_REQUEST).values_list("recipient_id", flat=True)
    ) == {cast.cruz.pk}
