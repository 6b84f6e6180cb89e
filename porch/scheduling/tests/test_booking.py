"""Booking through the pages: two steps, one appointment per slot, and every rule that
refuses a booking (past, policy, new or existing, age, how far ahead, malformed dates)
with a clear message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.record import repository
from porch.scheduling.models import Booking, Claim, Slot
from porch.scheduling.queries import open_slots
from porch.scheduling.tests.records import Clinic, book, free

pytestmark = pytest.mark.django_db


def _appointments(patient_id: str) -> list[dict[str, object]]:
    found = repository.search(system(), "Appointment", [("patient", patient_id)]).matches
    return [s.content or {} for s in found]


def _slot_status(slot: Slot) -> str:
    return str((repository.read(system(), "Slot", slot.fhir_id).content or {})["status"])


def test_ana_finds_a_time_and_books_it_in_two_steps(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    found = ana.get("/appointments/book/", {"visit_type": clinic.follow_up.slug})
    assert found.status_code == 200
    slot = free(clinic.follow_up)
    assert f"/appointments/book/{slot.pk}/" in found.content.decode()
    page = ana.get(f"/appointments/book/{slot.pk}/")
    assert page.status_code == 200 and "Confirm booking" in page.content.decode()
    assert _appointments("ana") == []  # choosing writes nothing

    response = book(ana, slot)

    assert response.status_code == 302
    (appointment,) = _appointments("ana")
    assert appointment["status"] == "booked"
    assert appointment["slot"] == [{"reference": f"Slot/{slot.fhir_id}"}]
    assert response["Location"] == f"/appointments/{appointment['id']}/"
    assert _slot_status(slot) == "busy"
    assert Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT).count() == 1
    listing = ana.get("/appointments/").content.decode()
    assert f"/appointments/{appointment['id']}/" in listing


def test_any_visit_type_lists_only_times_patients_book_themselves(
    cast: Cast, clinic: Clinic
) -> None:
    assert open_slots(visit_type=clinic.annual).exists()  # request-only times exist
    page = client_of(cast.ana).get("/appointments/book/")
    listed = {slot.visit_type for slot, _name in page.context["slots"]}
    assert clinic.follow_up in listed and clinic.annual not in listed


def test_a_double_submit_makes_one_appointment(cast: Cast, clinic: Clinic) -> None:
    ana, slot = client_of(cast.ana), free(clinic.follow_up)
    first = book(ana, slot, key="same")
    second = book(ana, slot, key="same")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert len(_appointments("ana")) == 1
    assert Booking.objects.count() == 1


def test_the_second_patient_is_told_plainly_and_shown_the_next_openings(
    cast: Cast, clinic: Clinic
) -> None:
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    response = book(client_of(cast.mallory), slot, key="other")
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else booked this time a moment ago" in text
    assert f"/appointments/book/{free(clinic.follow_up).pk}/" in text
    assert _appointments("mallory") == []
    assert Booking.objects.filter(patient_id="mallory").count() == 0


def test_a_longer_visit_cannot_take_time_already_booked(cast: Cast, clinic: Clinic) -> None:
    follow = free(clinic.follow_up)
    assert book(client_of(cast.ana), follow).status_code == 302
    overlapping = Slot.objects.get(
        visit_type=clinic.new_patient, practitioner_id="pr-cruz", starts_at=follow.starts_at
    )
    # Not offered any more, and refused when asked for by its address.
    assert overlapping not in open_slots(visit_type=clinic.new_patient)
    response = book(client_of(cast.mallory), overlapping, key="other")
    assert response.status_code == 409
    assert Claim.objects.count() == 4  # the 20-minute follow-up only


def test_a_slot_in_the_past_is_refused(cast: Cast, clinic: Clinic) -> None:
    slot = free(clinic.follow_up)
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
    )
    response = book(client_of(cast.ana), slot)
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    assert _appointments("ana") == [] and Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "kind", "message"),
    [
        ("ana", "home", "cannot be booked online"),
        ("ana", "annual", "send a request instead"),
        ("elda", "new_patient", "for new patients only"),
        ("ana", "teen", "for patients aged 12 to 17"),
    ],
)
def test_a_visit_type_one_may_not_book_is_refused(
    cast: Cast, clinic: Clinic, who: str, kind: str, message: str
) -> None:
    user = cast.ana if who == "ana" else cast.elda
    slot = free(getattr(clinic, kind))
    response = book(client_of(user), slot)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Booking.objects.count() == 0
    assert _appointments(who) == [] if who == "ana" else len(_appointments(who)) == 1


def test_a_teen_books_a_teen_visit_and_a_new_patient_a_new_patient_visit(
    cast: Cast, clinic: Clinic
) -> None:
    assert book(client_of(cast.teo), free(clinic.teen)).status_code == 302
    assert book(client_of(cast.mallory), free(clinic.new_patient), key="m").status_code == 302
    assert len(_appointments("teo")) == 1 and len(_appointments("mallory")) == 1


def test_a_time_beyond_how_far_ahead_is_refused(cast: Cast, clinic: Clinic) -> None:
    clinic.follow_up.book_ahead_days = 2
    clinic.follow_up.save(update_fields=["book_ahead_days"])
    far = open_slots(visit_type=clinic.follow_up).filter(
        starts_at__gt=timezone.now() + timedelta(days=3)
    )[0]
    response = book(client_of(cast.ana), far)
    assert response.status_code == 400
    assert "at most 2 days ahead" in response.content.decode()
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    "query", ["date=2030-13-45", "date=tomorrow", "visit_type=abc", "clinician=pr-nobody"]
)
def test_malformed_filters_are_a_clear_error(cast: Cast, clinic: Clinic, query: str) -> None:
    response = client_of(cast.ana).get(f"/appointments/book/?{query}")
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()


def test_an_unknown_slot_is_not_found(cast: Cast, clinic: Clinic) -> None:
    assert client_of(cast.ana).get("/appointments/book/999999/").status_code == 404


def test_a_view_only_parent_sees_but_cannot_book(cast: Cast, clinic: Clinic) -> None:
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "carla"}).status_code == 302
    response = book(ben, free(clinic.follow_up))
    assert response.status_code == 403
    assert Booking.objects.count() == 0
    assert ben.get("/appointments/").status_code == 200


def test_a_caregiver_who_may_act_books_for_elda(cast: Cast, clinic: Clinic) -> None:
    gil = client_of(cast.gil)
    assert gil.post("/records/open/", {"patient": "elda"}).status_code == 302
    assert book(gil, free(clinic.follow_up)).status_code == 302
    assert Booking.objects.get().patient_id == "elda"
    assert len(_appointments("elda")) == 2  # the cast's own appointment and this one


def test_the_appointments_list_takes_the_same_queries_for_more_visits(
    cast: Cast, clinic: Clinic, django_assert_max_num_queries: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ana = client_of(cast.ana)
    book(ana, free(clinic.follow_up), key="a")
    with CaptureQueriesContext(connection) as one:
        ana.get("/appointments/")
    for index in range(3):
        book(ana, free(clinic.follow_up, 1), key=f"b{index}")
    with CaptureQueriesContext(connection) as four:
        ana.get("/appointments/")
    assert len(Booking.objects.filter(patient_id="ana")) == 4
    assert len(four) == len(one)


def test_the_booking_pages_speak_spanish(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    assert ana.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    slot = free(clinic.follow_up)
    assert "Reservar una cita" in ana.get("/appointments/").content.decode()
    assert "Horarios libres" in ana.get("/appointments/book/").content.decode()
    assert "Confirmar la reserva" in ana.get(f"/appointments/book/{slot.pk}/").content.decode()
    book(ana, slot, key="es")
    mallory = client_of(cast.mallory)
    assert mallory.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    refused = book(mallory, slot, key="es-2")
    assert refused.status_code == 409
    assert "Otra persona reservó este horario" in refused.content.decode()
