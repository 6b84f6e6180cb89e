"""The care team answers: approve (a new prescription), deny with a reason, or ask for a
visit; who may see and answer; what the patient reads and hears."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from porch.access.tests.helpers import client_of, fhir
from porch.access.tests.records import Cast, system
from porch.medications.models import RefillRequest, RefillStatus
from porch.medications.tests.records import ask, latest
from porch.messaging.models import Pool
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.notifications.wording import line
from porch.record import repository

pytestmark = pytest.mark.django_db


def _asked(cast: Cast, medication_id: str = "med-ana", who: Any = None) -> RefillRequest:
    assert ask(client_of(who or cast.ana), medication_id).status_code == 302
    return latest()


def _answer(client: Client, row: RefillRequest, **fields: Any) -> Any:
    return client.post(f"/staff/refills/{row.task_id}/", fields)


def test_dr_cruz_approves_with_changes_and_ana_reads_approved(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    cruz = client_of(cast.cruz)
    queue = cruz.get("/staff/refills/").content.decode()
    assert "Ana Alvarez" in queue and "lisinopril" in queue
    detail = cruz.get(f"/staff/refills/{row.task_id}/").content.decode()
    assert "Running out on Friday" in detail and "Main Street Pharmacy" in detail
    response = _answer(
        cruz, row, decision="approve", dosage_text="Two tablets a day", quantity="60", refills="1"
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RefillStatus.APPROVED and row.decided_by == cast.cruz
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["status"] == "completed"
    new_ref = task["output"][0]["valueReference"]["reference"]
    new = repository.read(system(), "MedicationRequest", new_ref.split("/")[1]).content or {}
    assert new["status"] == "active"
    assert new["priorPrescription"] == {"reference": "MedicationRequest/med-ana"}
    assert new["requester"]["reference"] == "Practitioner/pr-cruz"
    assert new["dosageInstruction"][0]["text"] == "Two tablets a day"
    assert new["dispenseRequest"]["quantity"]["value"] == 60
    assert new["dispenseRequest"]["numberOfRepeatsAllowed"] == 1
    old = repository.read(system(), "MedicationRequest", "med-ana").content or {}
    assert old["status"] == "completed"
    ana = client_of(cast.ana)
    assert "Approved" in ana.get("/medications/refills/").content.decode()
    # The health summary lists the renewal, not the old prescription beside it.
    summary = ana.get("/summary/").content.decode()
    assert 'href="/medications/med-ana/refill/"' not in summary
    assert f'href="/medications/{new["id"]}/refill/"' in summary
    notices = Notification.objects.filter(kind=Kind.REFILL_UPDATE)
    assert set(notices.values_list("recipient_id", flat=True)) == {cast.ana.pk}
    # The words that leave Porch name nothing.
    assert "lisinopril" not in line(Kind.REFILL_UPDATE, for_proxy=False)
    assert all("lisinopril" not in m.body for m in mail.outbox)


def test_a_denial_needs_a_reason_and_the_patient_reads_it(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    cruz = client_of(cast.cruz)
    response = _answer(cruz, row, decision="deny", reason="  ")
    assert (
        response.status_code == 400 and "reason the patient will read" in response.content.decode()
    )
    row.refresh_from_db()
    assert row.status == RefillStatus.REQUESTED
    assert (
        _answer(
            cruz, row, decision="deny", reason="Your blood pressure needs a check first."
        ).status_code
        == 302
    )
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["status"] == "rejected"
    assert task["statusReason"]["text"] == "Your blood pressure needs a check first."
    page = client_of(cast.ana).get("/medications/refills/").content.decode()
    assert "Denied" in page and "needs a check first" in page
    # Answered: the medication may be asked for again.
    assert ask(client_of(cast.ana), "med-ana").status_code == 302


def test_the_clinician_may_ask_for_a_visit_with_a_link_to_book_it(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    response = _answer(
        client_of(cast.cruz),
        row,
        decision="visit",
        reason="Time for a check-up.",
        visit_type="annual",
    )
    assert response.status_code == 302
    task = repository.read(system(), "Task", row.task_id).content or {}
    assert task["businessStatus"]["coding"][0]["code"] == "visit-needed"
    page = client_of(cast.ana).get("/medications/refills/").content.decode()
    assert "Visit needed" in page and 'href="/appointments/book/?visit_type=annual"' in page


def test_a_request_is_answered_once(cast: Cast, pools: dict[str, Pool]) -> None:
    row = _asked(cast)
    cruz = client_of(cast.cruz)
    assert _answer(cruz, row, decision="approve").status_code == 302
    again = _answer(cruz, row, decision="deny", reason="No")
    assert again.status_code == 409
    assert (
        repository.search(
            system(), "MedicationRequest", [("patient", "ana"), ("status", "active")]
        ).total
        == 4
    )


def test_approving_a_prescription_stopped_meanwhile_is_refused(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    old = repository.read(system(), "MedicationRequest", "med-ana").content or {}
    repository.update(
        system(),
        "MedicationRequest",
        "med-ana",
        {**{k: v for k, v in old.items() if k != "meta"}, "status": "stopped"},
    )
    response = _answer(client_of(cast.cruz), row, decision="approve")
    assert response.status_code == 409 and "no longer active" in response.content.decode()
    row.refresh_from_db()
    assert row.status == RefillStatus.REQUESTED
    assert (repository.read(system(), "Task", row.task_id).content or {})["status"] == "requested"


def test_dr_diaz_can_neither_see_nor_answer_anas_request(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    diaz = client_of(cast.diaz)
    assert "Ana" not in diaz.get("/staff/refills/?status=").content.decode()
    assert diaz.get(f"/staff/refills/{row.task_id}/").status_code == 404
    assert _answer(diaz, row, decision="approve").status_code == 404
    assert fhir(diaz, f"/fhir/Task/{row.task_id}")[0] == 404
    row.refresh_from_db()
    assert row.status == RefillStatus.REQUESTED
    for outsider in (cast.mallory, cast.ben):
        assert client_of(outsider).get(f"/staff/refills/{row.task_id}/").status_code == 404
        assert "lisinopril" not in client_of(outsider).get("/medications/refills/").content.decode()


def test_front_desk_in_the_pool_sees_the_request_but_only_a_clinician_answers(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana), "med-ana-locum")
    row = latest()
    fran = client_of(cast.fran)
    assert fran.get(f"/staff/refills/{row.task_id}/").status_code == 404
    pools["nurses"].members.add(cast.fran)
    assert fran.get(f"/staff/refills/{row.task_id}/").status_code == 200
    response = _answer(fran, row, decision="approve")
    assert response.status_code == 403 and "Only a clinician" in response.content.decode()
    assert _answer(client_of(cast.cruz), row, decision="approve").status_code == 302


def test_a_parent_never_sees_or_hears_of_a_teens_confidential_refill(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    private = _asked(cast, "med-teo-private", cast.teo)
    assert private.confidential
    task = repository.read(system(), "Task", private.task_id).content or {}
    assert task["meta"]["security"][0]["code"] == "R"
    ordinary = _asked(cast, "med-teo", cast.teo)
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    page = ben.get("/medications/refills/").content.decode()
    assert "amLODIPine" in page and "sertraline" not in page
    assert fhir(ben, f"/fhir/Task/{private.task_id}")[0] == 404
    assert fhir(ben, f"/fhir/Task/{ordinary.task_id}")[0] == 200
    assert ben.get("/medications/med-teo-private/refill/").status_code == 404
    cruz = client_of(cast.cruz)
    assert _answer(cruz, private, decision="approve").status_code == 302
    assert _answer(cruz, ordinary, decision="approve").status_code == 302
    assert not Notification.objects.filter(
        recipient=cast.ben, key=f"refill-update:{private.task_id}"
    ).exists()
    assert Notification.objects.filter(
        recipient=cast.ben, key=f"refill-update:{ordinary.task_id}"
    ).exists()
    assert Notification.objects.filter(recipient=cast.teo, kind=Kind.REFILL_UPDATE).count() == 2
    # The renewal of a confidential prescription stays confidential.
    new_ref = (repository.read(system(), "Task", private.task_id).content or {})["output"][0]
    new_id = new_ref["valueReference"]["reference"].split("/")[1]
    assert fhir(ben, f"/fhir/MedicationRequest/{new_id}")[0] == 404


def test_patients_find_no_staff_pages_and_staff_no_patient_pages(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    row = _asked(cast)
    ana = client_of(cast.ana)
    assert ana.get("/staff/refills/").status_code == 404
    assert ana.get(f"/staff/refills/{row.task_id}/").status_code == 404
    assert client_of(cast.fran).get("/medications/refills/").status_code == 404
    assert Client().get("/medications/refills/").status_code == 302


def _queries(client: Client, url: str, django_assert_max_num_queries: Any, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 2])
def test_refill_lists_take_a_fixed_number_of_queries(
    cast: Cast, pools: dict[str, Pool], django_assert_max_num_queries: Any, count: int
) -> None:
    meds = ["med-ana", "med-ana-2", "med-ana-locum"][: count + 1]
    for medication_id in meds:
        ask(client_of(cast.ana), medication_id)
    ask(client_of(cast.teo), "med-teo")
    if count > 1:
        ask(client_of(cast.ana), "med-ana-oxy")
    _queries(client_of(cast.ana), "/medications/refills/", django_assert_max_num_queries, 20)
    _queries(client_of(cast.cruz), "/staff/refills/", django_assert_max_num_queries, 28)
    _queries(client_of(cast.cruz), "/staff/refills/?status=", django_assert_max_num_queries, 28)


def test_the_summary_offers_a_refill_only_to_those_who_may_ask(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert 'href="/medications/med-ana/refill/"' in page
    gil = client_of(cast.gil)
    assert 'href="/medications/med-elda/refill/"' in gil.get("/summary/").content.decode()
    ben = client_of(cast.ben)
    ben.post("/records/open/", {"patient": "teo"})
    assert "/refill/" not in ben.get("/summary/").content.decode()
    cruz = client_of(cast.cruz)
    cruz.post("/records/open/", {"patient": "ana"})
    assert "/refill/" not in cruz.get("/summary/").content.decode()


def test_the_pages_speak_spanish(cast: Cast, pools: dict[str, Pool]) -> None:
    cast.ana.language = "es"  # the language stored on her account (porch.i18n)
    cast.ana.save(update_fields=["language"])
    ana = client_of(cast.ana)
    page = ana.get("/medications/med-ana/refill/").content.decode()
    assert "Solicitar un resurtido" in page and "Farmacia" in page
    assert "Solicitar un resurtido" in ana.get("/summary/").content.decode()
    ask(ana, "med-ana-oxy")
    listed = ana.get("/medications/refills/").content.decode()
    assert "Se necesita una consulta" in listed
