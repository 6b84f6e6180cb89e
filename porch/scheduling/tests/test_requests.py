"""Appointment requests: a patient asks for a visit type the clinic books (policy
REQUEST), the front desk books it at a time or declines it, the patient sees each step and
may withdraw a request while it waits. The cast's Fran (front desk) is in the
"front-desk" pool, which answers requests (APPOINTMENT_REQUEST_POOL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.audit.models import Action, AuditEvent
from porch.messaging.models import Pool
from porch.messaging.tests.records import build_pools
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.record import repository
from porch.scheduling.models import AppointmentRequest, Booking, Slot
from porch.scheduling.slots import clinic_zone
from porch.scheduling.tests.records import Clinic, book, free

pytestmark = pytest.mark.django_db

Status = AppointmentRequest.Status
QUEUE = "/staff/appointments/requests/"


@pytest.fixture
def pools(cast: Cast) -> dict[str, Pool]:
    return build_pools(cast)


def ask(client: Client, visit_type: str = "annual", key: str = "req-1", **extra: Any) -> Any:
    data = {"visit_type": visit_type, "key": key, "clinician": "", "times": "", "note": ""}
    return client.post("/appointments/request/", {**data, **extra})


def appointment(fhir_id: str) -> dict[str, Any]:
    return repository.read(system(), "Appointment", fhir_id).content or {}


def staff_book(client: Client, row: AppointmentRequest, slot: Slot) -> Any:
    return client.post(f"{QUEUE}{row.pk}/", {"slot": slot.pk})


def decline(client: Client, row: AppointmentRequest, reason: str) -> Any:
    return client.post(f"{QUEUE}{row.pk}/", {"reason": reason})


def latest() -> AppointmentRequest:
    return AppointmentRequest.objects.select_related("visit_type").latest("pk")


# --- the patient's request ----------------------------------------------------------------


def test_the_find_page_offers_a_request_instead_of_times_for_a_visit_the_clinic_books(
    cast: Cast, clinic: Clinic
) -> None:
    page = client_of(cast.ana).get("/appointments/book/", {"visit_type": "annual"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'href="/appointments/request/?visit_type=annual"' in text
    assert 'data-testid="slots"' not in text
    assert f"/appointments/book/{free(clinic.annual).pk}/" not in text
    follow_up = client_of(cast.ana).get("/appointments/book/", {"visit_type": "follow-up"})
    assert 'data-testid="slots"' in follow_up.content.decode()


def test_ana_asks_for_an_annual_physical_and_the_front_desk_books_it(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana, fran = client_of(cast.ana), client_of(cast.fran)
    form = ana.get("/appointments/request/", {"visit_type": "annual"})
    assert form.status_code == 200
    assert 'data-testid="request-form"' in form.content.decode()
    assert "Cruz" in form.content.decode()  # the clinicians who offer it

    response = ask(
        ana, clinician="pr-cruz", times="Tuesday mornings", note="Yearly check, knee too"
    )

    assert response.status_code == 302 and response["Location"] == "/appointments/"
    row = latest()
    assert (row.patient_id, row.status, row.practitioner_id) == ("ana", Status.PENDING, "pr-cruz")
    assert row.requested_by == cast.ana
    proposed = appointment(row.appointment_id)
    assert proposed["status"] == "proposed" and "start" not in proposed
    assert proposed["reasonCode"] == [{"text": "Yearly check, knee too"}]
    assert proposed["comment"] == "Tuesday mornings"
    assert proposed["serviceType"][0]["coding"][0]["code"] == "annual"
    listing = ana.get("/appointments/").content.decode()
    assert "Waiting for the clinic" in listing and "Annual physical" in listing
    assert 'data-testid="past"' not in listing  # a request is not a past visit
    # The front desk is told, in words that name nothing of health.
    (note,) = Notification.objects.filter(kind=Kind.APPOINTMENT_REQUEST)
    assert note.recipient == cast.fran and note.link == f"{QUEUE}{row.pk}/"

    queue = fran.get(QUEUE)
    assert queue.status_code == 200
    assert "Ana Alvarez" in queue.content.decode() and "Annual physical" in queue.content.decode()
    page = fran.get(f"{QUEUE}{row.pk}/")
    assert page.status_code == 200
    assert "Yearly check, knee too" in page.content.decode()
    slot = free(clinic.annual, 1)
    assert f'name="slot" value="{slot.pk}"' in page.content.decode()

    booked = staff_book(fran, row, slot)

    assert booked.status_code == 302 and booked["Location"] == QUEUE
    row.refresh_from_db()
    assert row.status == Status.BOOKED and row.decided_by == cast.fran
    assert row.booking is not None and row.booking.slot == slot
    assert row.booking.appointment_id == row.appointment_id
    now_booked = appointment(row.appointment_id)
    assert now_booked["status"] == "booked"
    assert now_booked["slot"] == [{"reference": f"Slot/{slot.fhir_id}"}]
    assert Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT).count() == 1
    listing = ana.get("/appointments/").content.decode()
    upcoming = listing.split('data-testid="upcoming"')[1].split("</ul>")[0]
    assert f"/appointments/{row.appointment_id}/" in upcoming
    assert "Booked" in listing.split('data-testid="requests"')[1]
    assert "Ana Alvarez" not in fran.get(QUEUE).content.decode()


def test_a_double_submit_makes_one_request(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    first, second = ask(ana, key="same"), ask(ana, key="same")
    assert first.status_code == second.status_code == 302
    assert AppointmentRequest.objects.count() == 1
    proposed = repository.search(system(), "Appointment", [("patient", "ana")]).matches
    assert len(proposed) == 1
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REQUEST).count() == 1


def test_a_second_request_for_the_same_visit_waits_for_the_first(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    assert ask(ana, key="one").status_code == 302
    again = ask(ana, key="two")
    assert again.status_code == 409
    assert "You already asked for Annual physical" in again.content.decode()
    assert AppointmentRequest.objects.count() == 1


def test_a_visit_not_taken_online_or_booked_directly_cannot_be_requested(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    page = ana.get("/appointments/request/", {"visit_type": "home"})
    assert "Home visit cannot be requested online. Please call the clinic." in page.content.decode()
    assert 'data-testid="request-form"' not in page.content.decode()
    offline = ask(ana, visit_type="home")
    assert offline.status_code == 400
    assert "cannot be requested online" in offline.content.decode()
    direct = ask(ana, visit_type="follow-up", key="req-2")
    assert direct.status_code == 400
    assert "can be booked directly" in direct.content.decode()
    unknown = ask(ana, visit_type="no-such", key="req-3")
    assert unknown.status_code == 400
    assert "Choose a visit type from the appointments page." in unknown.content.decode()
    assert AppointmentRequest.objects.count() == 0
    assert repository.search(system(), "Appointment", [("patient", "ana")]).matches == []


def test_the_who_and_age_rules_of_booking_apply_to_requests(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    clinic.annual.min_age, clinic.annual.max_age = 12, 17
    clinic.annual.save(update_fields=["min_age", "max_age"])
    response = ask(client_of(cast.ana))
    assert response.status_code == 400
    assert "Annual physical is for patients aged 12 to 17." in response.content.decode()
    assert AppointmentRequest.objects.count() == 0


def test_bad_input_names_the_field_and_stores_nothing(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    response = ask(ana, note="knee\x07", times="x" * 201, clinician="pr-diaz")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"note", "times", "clinician"}
    assert "control characters" in str(errors["note"])
    missing_key = ask(ana, key="")
    assert missing_key.status_code == 400
    assert "This page is out of date" in missing_key.content.decode()
    assert AppointmentRequest.objects.count() == 0


def test_a_proxy_who_may_only_view_cannot_ask_and_one_who_may_act_can(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    page = ben.get("/appointments/request/", {"visit_type": "annual"}).content.decode()
    assert "not ask for one" in page and 'data-testid="request-form"' not in page
    refused = ask(ben)
    assert refused.status_code == 403
    assert "You may see this record&#x27;s appointments but not ask for one." in (
        refused.content.decode()
    )
    assert AppointmentRequest.objects.count() == 0

    gil = client_of(cast.gil)
    assert gil.post("/records/open/", {"patient": "elda"}).status_code == 302
    assert ask(gil).status_code == 302
    row = latest()
    assert row.patient_id == "elda" and row.requested_by == cast.gil
    page = client_of(cast.fran).get(f"{QUEUE}{row.pk}/").content.decode()
    assert "Elda Gomez" in page and "by Gil" in page


def test_another_patients_request_is_not_found(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana), note="Private words")
    row = latest()
    mallory = client_of(cast.mallory)
    assert mallory.post(f"/appointments/requests/{row.pk}/withdraw/").status_code == 404
    assert mallory.get(f"/appointments/{row.appointment_id}/").status_code == 404
    listing = mallory.get("/appointments/").content.decode()
    assert "Annual physical" not in listing and "Private words" not in listing
    # The withdraw address answers POST only.
    assert client_of(cast.ana).get(f"/appointments/requests/{row.pk}/withdraw/").status_code == 405
    row.refresh_from_db()
    assert row.status == Status.PENDING


def test_only_those_who_answer_requests_open_the_queue(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana))
    row = latest()
    for person in (cast.ana, cast.mallory, cast.ben, cast.diaz, cast.cruz):
        client = client_of(person)
        assert client.get(QUEUE).status_code == 404, person
        assert client.get(f"{QUEUE}{row.pk}/").status_code == 404, person
        assert staff_book(client, row, free(clinic.annual)).status_code == 404, person
    anonymous = Client().get(QUEUE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_of(cast.fran).get(f"{QUEUE}{row.pk + 1000}/").status_code == 404
    row.refresh_from_db()
    assert row.status == Status.PENDING and not Booking.objects.exists()


def test_the_configured_pool_answers_and_without_a_pool_the_front_desk_does(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool], settings: Any
) -> None:
    settings.APPOINTMENT_REQUEST_POOL = "nurses"
    assert client_of(cast.cruz).get(QUEUE).status_code == 200
    assert client_of(cast.fran).get(QUEUE).status_code == 404
    settings.APPOINTMENT_REQUEST_POOL = "no-such-pool"
    assert client_of(cast.fran).get(QUEUE).status_code == 200
    assert client_of(cast.cruz).get(QUEUE).status_code == 404
    ask(client_of(cast.ana))
    recipients = Notification.objects.filter(kind=Kind.APPOINTMENT_REQUEST)
    assert [n.recipient for n in recipients] == [cast.fran]


def test_the_staff_read_of_a_request_is_audited(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana), note="Knee")
    row = latest()
    assert client_of(cast.fran).get(f"{QUEUE}{row.pk}/").status_code == 200
    reads = AuditEvent.objects.filter(
        user_id=cast.fran.pk, action=Action.READ, patient_id="ana", resource_type="Appointment"
    )
    assert list(reads.values_list("resource_id", flat=True)) == [row.appointment_id]
    assert reads.get().role == "front_desk"


# --- the clinic's answer --------------------------------------------------------------------


def test_a_declined_request_tells_the_patient_why(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana, fran = client_of(cast.ana), client_of(cast.fran)
    ask(ana)
    row = latest()
    empty = decline(fran, row, "   ")
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()

    response = decline(fran, row, "Your physical is not due until March; we will remind you.")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.DECLINED and row.decided_by == cast.fran
    cancelled = appointment(row.appointment_id)
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelationReason"]["text"].startswith("Your physical is not due")
    assert Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT).count() == 1
    listing = ana.get("/appointments/").content.decode()
    assert "Declined" in listing and "not due until March" in listing
    assert 'data-testid="past"' not in listing


def test_ana_withdraws_a_waiting_request(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    ask(ana)
    row = latest()
    assert "Withdraw" in ana.get("/appointments/").content.decode()

    response = ana.post(f"/appointments/requests/{row.pk}/withdraw/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.WITHDRAWN
    assert appointment(row.appointment_id)["status"] == "cancelled"
    listing = ana.get("/appointments/").content.decode()
    assert "Withdrawn" in listing and 'data-testid="past"' not in listing
    assert "Ana Alvarez" not in client_of(cast.fran).get(QUEUE).content.decode()
    # Withdrawn already: said plainly, nothing changes; staff can no longer book it.
    again = ana.post(f"/appointments/requests/{row.pk}/withdraw/", follow=True)
    assert "already withdrawn" in again.content.decode()
    late = staff_book(client_of(cast.fran), row, free(clinic.annual))
    assert late.status_code == 302 and late["Location"] == f"{QUEUE}{row.pk}/"
    assert not Booking.objects.exists()


def test_a_view_only_proxy_cannot_withdraw(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    teo = client_of(cast.teo)
    ask(teo)
    row = latest()
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    assert "Withdraw" not in ben.get("/appointments/").content.decode()
    assert ben.post(f"/appointments/requests/{row.pk}/withdraw/").status_code == 403
    row.refresh_from_db()
    assert row.status == Status.PENDING


def test_a_request_decided_twice_changes_nothing_the_second_time(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    fran = client_of(cast.fran)
    ask(client_of(cast.ana))
    row = latest()
    slot = free(clinic.annual)
    assert staff_book(fran, row, slot).status_code == 302
    after_booking = appointment(row.appointment_id)

    again = staff_book(fran, row, slot)
    other = staff_book(fran, row, free(clinic.annual))
    declined = decline(fran, row, "Too late")

    for response in (again, other, declined):
        assert response.status_code == 302 and response["Location"] == f"{QUEUE}{row.pk}/"
    page = fran.get(f"{QUEUE}{row.pk}/").content.decode()
    assert "already booked" in page and 'data-testid="decline"' not in page
    row.refresh_from_db()
    assert row.status == Status.BOOKED
    assert Booking.objects.count() == 1
    assert appointment(row.appointment_id) == after_booking
    assert Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT).count() == 1


def test_a_time_taken_meanwhile_shows_the_next_openings_and_books_nothing(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    fran = client_of(cast.fran)
    ask(client_of(cast.ana))
    first = latest()
    ask(client_of(cast.mallory), key="req-mallory")
    second = latest()
    slot = free(clinic.annual)
    assert staff_book(fran, first, slot).status_code == 302

    response = staff_book(fran, second, slot)

    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else booked this time a moment ago" in text
    assert f'name="slot" value="{free(clinic.annual).pk}"' in text
    second.refresh_from_db()
    assert second.status == Status.PENDING and second.booking is None
    assert appointment(second.appointment_id)["status"] == "proposed"
    assert not Notification.objects.filter(recipient=cast.mallory, kind=Kind.APPOINTMENT).exists()


def test_a_time_of_another_visit_type_is_refused(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana))
    row = latest()
    response = staff_book(client_of(cast.fran), row, free(clinic.follow_up))
    assert response.status_code == 400
    assert "This time is for another visit type" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Status.PENDING


def test_staff_filter_the_open_times_by_clinician_and_date(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ask(client_of(cast.ana))
    row = latest()
    fran = client_of(cast.fran)
    slot = free(clinic.annual, 2)
    day = slot.starts_at.astimezone(clinic_zone()).date()
    page = fran.get(f"{QUEUE}{row.pk}/", {"clinician": "pr-cruz", "date": day.isoformat()})
    text = page.content.decode()
    assert page.status_code == 200 and f'value="{slot.pk}"' in text
    assert f'value="{free(clinic.annual).pk}"' not in text
    empty = fran.get(f"{QUEUE}{row.pk}/", {"clinician": "pr-diaz"})
    assert 'data-testid="no-slots"' in empty.content.decode()


# --- the patient's list -----------------------------------------------------------------------


def test_the_appointments_list_takes_the_same_queries_for_more_requests(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    book(ana, free(clinic.follow_up), key="visit")
    ask(ana, key="a")
    with CaptureQueriesContext(connection) as one:
        ana.get("/appointments/")
    row = latest()
    ana.post(f"/appointments/requests/{row.pk}/withdraw/")
    for index in range(3):
        ask(ana, key=f"b{index}")
        if index < 2:
            ana.post(f"/appointments/requests/{latest().pk}/withdraw/")
    assert AppointmentRequest.objects.filter(patient_id="ana").count() == 4
    with CaptureQueriesContext(connection) as four:
        listing = ana.get("/appointments/")
    assert listing.content.decode().count('data-testid="request"') == 4
    assert len(four) == len(one)


def test_the_request_pages_speak_spanish(
    cast: Cast, clinic: Clinic, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    assert ana.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    page = ana.get("/appointments/request/", {"visit_type": "annual"}).content.decode()
    assert "Enviar la solicitud" in page
    ask(ana)
    assert "Esperando a la clínica" in ana.get("/appointments/").content.decode()
    fran = client_of(cast.fran)
    assert fran.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    assert "Solicitudes de cita" in fran.get(QUEUE).content.decode()
