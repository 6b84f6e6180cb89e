"""Offering freed times in turn, answering offers, expiry, and who may do what. Ana and
Elda wait for earlier times; Mallory and Teo book and cancel the times that free up."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.scheduling.models import AvailabilityTemplate, Booking, VisitType
from porch.scheduling.queries import open_slots
from porch.scheduling.slots import extend_slots
from porch.scheduling.tests.records import CLINIC, Clinic, book
from porch.waitlist.actions import sweep_offers
from porch.waitlist.models import WaitlistEntry, WaitlistOffer
from porch.waitlist.tests.records import (
    answer,
    booked,
    cancel,
    join,
    open_offers,
    slot_of,
    times,
)

pytestmark = pytest.mark.django_db

Status = WaitlistOffer.Status


def _waiting(cast: Cast, clinic: Clinic) -> dict[str, Any]:
    """Mallory holds the earliest time; Ana (joined first) and Elda (second) wait for an
    earlier time than their own, Ana's being the earlier of the two."""
    slots = times(clinic)
    mallory, ana, elda = client_of(cast.mallory), client_of(cast.ana), client_of(cast.elda)
    found = {
        "slots": slots,
        "mallory": mallory,
        "ana": ana,
        "elda": elda,
        "mallory_visit": booked(mallory, slots[0], "m"),
        "ana_visit": booked(ana, slots[3], "a"),
        "elda_visit": booked(elda, slots[5], "e"),
    }
    join(ana, found["ana_visit"])
    join(elda, found["elda_visit"])
    return found


# --- in turn ----------------------------------------------------------------------------


def test_a_freed_earlier_time_is_offered_to_the_first_to_join_and_only_to_them(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])

    (offer,) = open_offers("ana")
    assert offer.slot == w["slots"][0]
    assert open_offers("elda") == []
    notice = Notification.objects.get(recipient=cast.ana, kind=Kind.WAITLIST_OFFER)
    assert notice.link == f"/waitlist/offers/{offer.pk}/"
    assert not Notification.objects.filter(recipient=cast.elda, kind=Kind.WAITLIST_OFFER).exists()
    assert offer.expires_at - offer.created_at == timedelta(minutes=60)


def test_the_offer_page_shows_the_earlier_time_the_clinician_and_how_long_it_is_held(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    page = w["ana"].get(f"/waitlist/offers/{offer.pk}/").content.decode()

    start = timezone.localtime(offer.slot.starts_at).isoformat()
    assert f'datetime="{start}"' in page
    assert "Ada Cruz" in page
    assert "minutes left" in page
    assert 'value="accept"' in page and 'value="decline"' in page


def test_a_declined_offer_goes_to_the_next_in_line_and_the_decliner_stays_on_the_list(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    response = answer(w["ana"], offer, "decline")

    assert response.status_code == 302  # type: ignore[attr-defined]
    offer.refresh_from_db()
    assert offer.status == Status.DECLINED
    (to_elda,) = open_offers("elda")
    assert to_elda.slot == w["slots"][0]
    assert WaitlistEntry.objects.filter(patient_id="ana", active=True).exists()
    assert slot_of(w["ana_visit"]) == w["slots"][3]


def test_an_expired_offer_goes_to_the_next_in_line_and_the_sweep_is_idempotent(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    later = offer.expires_at + timedelta(seconds=1)

    assert sweep_offers(offer.expires_at - timedelta(seconds=1)) == 0
    assert sweep_offers(later) == 1
    assert sweep_offers(later) == 0

    offer.refresh_from_db()
    assert offer.status == Status.EXPIRED
    (to_elda,) = open_offers("elda")
    assert to_elda.slot == w["slots"][0]
    assert WaitlistOffer.objects.filter(status=Status.OPEN).count() == 1


def test_when_nobody_is_next_an_expired_offer_leaves_the_time_open(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    WaitlistEntry.objects.filter(patient_id="elda").update(active=False)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    assert sweep_offers(offer.expires_at) == 1

    assert not WaitlistOffer.objects.filter(status=Status.OPEN).exists()
    # Never offered to Ana a second time.
    assert WaitlistOffer.objects.filter(slot=offer.slot).count() == 1


def test_the_sweep_command_enqueues_the_sweep(cast: Cast) -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("sweep_waitlist")

    assert DBTaskResult.objects.filter(task_path="porch.waitlist.tasks.expire_offers").exists()


# --- accepting ------------------------------------------------------------------------------


def test_accepting_moves_the_booking_and_the_old_time_is_offered_to_the_next_in_line(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    response = answer(w["ana"], offer, "accept")

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == f"/appointments/{w['ana_visit']}/"  # type: ignore[index]
    assert slot_of(w["ana_visit"]) == w["slots"][0]
    offer.refresh_from_db()
    assert offer.status == Status.ACCEPTED
    assert not WaitlistEntry.objects.filter(patient_id="ana", active=True).exists()
    (to_elda,) = open_offers("elda")
    assert to_elda.slot == w["slots"][3]
    page = w["ana"].get(response["Location"]).content.decode()  # type: ignore[index]
    assert timezone.localtime(w["slots"][0].starts_at).isoformat() in page
    assert "Your appointment is now at the earlier time." in page


def test_accepting_twice_moves_the_appointment_once(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    first = answer(w["ana"], offer, "accept")
    second = answer(w["ana"], offer, "accept")

    assert first.status_code == second.status_code == 302  # type: ignore[attr-defined]
    assert Booking.objects.filter(appointment_id=w["ana_visit"]).count() == 2
    assert slot_of(w["ana_visit"]) == w["slots"][0]


def test_a_time_booked_directly_meanwhile_is_lost_plainly_and_nothing_else_changes(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    assert book(client_of(cast.teo), w["slots"][0], key="t").status_code == 302

    response = answer(w["ana"], offer, "accept")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "Someone else booked this time before you accepted it" in response.content.decode()  # type: ignore[attr-defined]
    offer.refresh_from_db()
    assert offer.status == Status.LOST
    assert slot_of(w["ana_visit"]) == w["slots"][3]
    assert Booking.objects.filter(appointment_id=w["ana_visit"]).count() == 1
    assert WaitlistEntry.objects.filter(patient_id="ana", active=True).exists()
    assert open_offers("elda") == []


def test_an_expired_link_is_refused_plainly_and_nothing_changes(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    page = w["ana"].get(f"/waitlist/offers/{offer.pk}/").content.decode()
    response = answer(w["ana"], offer, "accept")

    assert "that has passed" in page and 'value="accept"' not in page
    assert response.status_code == 410  # type: ignore[attr-defined]
    assert "that has passed" in response.content.decode()  # type: ignore[attr-defined]
    assert slot_of(w["ana_visit"]) == w["slots"][3]
    assert Booking.objects.filter(appointment_id=w["ana_visit"]).count() == 1


def test_an_answered_offer_cannot_be_answered_again_the_other_way(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    answer(w["ana"], offer, "decline")

    response = answer(w["ana"], offer, "accept")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "You turned this time down." in response.content.decode()  # type: ignore[attr-defined]
    assert slot_of(w["ana_visit"]) == w["slots"][3]


def test_an_answer_that_is_neither_accept_nor_decline_is_refused(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    response = answer(w["ana"], offer, "maybe")

    assert response.status_code == 400  # type: ignore[attr-defined]
    offer.refresh_from_db()
    assert offer.status == Status.OPEN


# --- who may --------------------------------------------------------------------------------


def test_another_patients_offer_is_not_found(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    for outsider in (cast.mallory, cast.elda, cast.diaz, cast.ben, cast.fran):
        client = client_of(outsider)
        assert client.get(f"/waitlist/offers/{offer.pk}/").status_code == 404
        assert answer(client, offer, "accept").status_code == 404  # type: ignore[attr-defined]
    assert w["ana"].get("/waitlist/offers/999999/").status_code == 404
    offer.refresh_from_db()
    assert offer.status == Status.OPEN
    assert slot_of(w["ana_visit"]) == w["slots"][3]


def test_another_patient_cannot_put_someone_elses_appointment_on_the_waitlist(
    cast: Cast, clinic: Clinic
) -> None:
    ana_visit = booked(client_of(cast.ana), times(clinic)[3])

    response = client_of(cast.mallory).post(f"/waitlist/join/{ana_visit}/")

    assert response.status_code == 404
    assert not WaitlistEntry.objects.exists()


def test_a_view_only_proxy_can_neither_join_nor_accept(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    teo, ben, mallory = client_of(cast.teo), client_of(cast.ben), client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    teo_visit = booked(teo, slots[4], "t")
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302

    refused = ben.post(f"/waitlist/join/{teo_visit}/", {"same_clinician": "on"})

    assert refused.status_code == 403
    assert "not change them" in refused.content.decode()
    assert not WaitlistEntry.objects.exists()
    page = ben.get(f"/appointments/{teo_visit}/").content.decode()
    assert "Ask for an earlier time" not in page

    join(teo, teo_visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("teo")
    shown = ben.get(f"/waitlist/offers/{offer.pk}/")
    assert shown.status_code == 200
    assert 'value="accept"' not in shown.content.decode()

    for choice in ("accept", "decline"):
        response = answer(ben, offer, choice)
        assert response.status_code == 403  # type: ignore[attr-defined]
        assert "not change them" in response.content.decode()  # type: ignore[attr-defined]
    assert ben.post(f"/waitlist/leave/{teo_visit}/").status_code == 403
    offer.refresh_from_db()
    assert offer.status == Status.OPEN
    assert slot_of(teo_visit) == slots[4]


def test_a_proxy_who_may_act_accepts_for_the_patient(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    gil, mallory = client_of(cast.gil), client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    assert gil.post("/records/open/", {"patient": "elda"}).status_code == 302
    elda_visit = booked(gil, slots[4], "g")
    join(gil, elda_visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("elda")
    assert Notification.objects.filter(recipient=cast.gil, kind=Kind.WAITLIST_OFFER).exists()

    assert answer(gil, offer, "accept").status_code == 302  # type: ignore[attr-defined]

    assert slot_of(elda_visit) == slots[0]


# --- what is offered --------------------------------------------------------------------------


def test_a_cancelled_bookings_entry_is_not_offered_anything(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    cancel(w["ana"], w["ana_visit"])
    assert not WaitlistEntry.objects.filter(patient_id="ana", active=True).exists()
    # Ana's own freed time went to Elda, who waits for anything earlier than hers.
    (to_elda,) = open_offers("elda")
    assert to_elda.slot == w["slots"][3]
    answer(w["elda"], to_elda, "decline")

    cancel(w["mallory"], w["mallory_visit"])

    assert open_offers("ana") == []
    assert [o.slot for o in open_offers("elda")] == [w["slots"][0]]


def test_cancelling_while_an_offer_is_open_passes_the_offer_to_the_next(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")

    cancel(w["ana"], w["ana_visit"])

    offer.refresh_from_db()
    assert offer.status == Status.DECLINED
    # Elda is offered the earliest time first; Ana's own freed time waits for the next one.
    assert [o.slot for o in open_offers("elda")] == [w["slots"][0]]


def test_no_offer_for_a_time_later_than_the_booked_one(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    ana, mallory = client_of(cast.ana), client_of(cast.mallory)
    ana_visit = booked(ana, slots[1], "a")
    mallory_visit = booked(mallory, slots[5], "m")
    join(ana, ana_visit)

    cancel(mallory, mallory_visit)

    assert not WaitlistOffer.objects.exists()


def test_no_offer_for_another_visit_type(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    ana, teo = client_of(cast.ana), client_of(cast.teo)
    ana_visit = booked(ana, slots[6], "a")
    join(ana, ana_visit)
    VisitType.objects.filter(pk=clinic.teen.pk).update(cancel_cutoff_hours=0)
    teen = open_slots(visit_type=clinic.teen)[0]
    teo_visit = booked(teo, teen, "t")

    cancel(teo, teo_visit)

    assert not WaitlistOffer.objects.exists()


def test_only_the_same_clinician_when_asked(cast: Cast, clinic: Clinic) -> None:
    template = AvailabilityTemplate.objects.create(
        practitioner_id="pr-diaz",
        location=CLINIC,
        weekday=timezone.localdate().weekday(),
        starts_at=time(8),
        ends_at=time(9),
    )
    template.visit_types.set([clinic.follow_up])
    extend_slots(7, today=timezone.localdate() + timedelta(days=1))
    diaz_slot = next(s for s in times(clinic) if s.practitioner_id == "pr-diaz")
    cruz_later = [s for s in times(clinic) if s.practitioner_id == "pr-cruz"][-2:]
    ana, elda, mallory = client_of(cast.ana), client_of(cast.elda), client_of(cast.mallory)
    mallory_visit = booked(mallory, diaz_slot, "m")
    join(ana, booked(ana, cruz_later[0], "a"), same_clinician=True)
    join(elda, booked(elda, cruz_later[1], "e"), same_clinician=False)

    cancel(mallory, mallory_visit)

    assert open_offers("ana") == []
    assert [o.slot for o in open_offers("elda")] == [diaz_slot]


def test_no_offer_for_a_visit_type_patients_do_not_book_online(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    VisitType.objects.filter(pk=clinic.follow_up.pk).update(policy=VisitType.Policy.REQUEST)

    cancel(w["mallory"], w["mallory_visit"])

    assert not WaitlistOffer.objects.exists()


def test_one_open_offer_per_slot_and_never_the_same_slot_twice_to_one_entry(
    cast: Cast, clinic: Clinic
) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    elda_entry = WaitlistEntry.objects.get(patient_id="elda")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=elda_entry, slot=offer.slot, created_at=now, expires_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=offer.entry,
            slot=offer.slot,
            status=Status.EXPIRED,
            created_at=now,
            expires_at=now,
        )


def test_a_move_refused_for_another_reason_is_not_called_taken(cast: Cast, clinic: Clinic) -> None:
    w = _waiting(cast, clinic)
    cancel(w["mallory"], w["mallory_visit"])
    (offer,) = open_offers("ana")
    # The clinic moves the cutoff: Ana's visit can no longer be changed online.
    VisitType.objects.filter(pk=clinic.follow_up.pk).update(cancel_cutoff_hours=24 * 365)

    response = answer(w["ana"], offer, "accept")

    text = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "can be changed online up to" in text and "Someone else booked" not in text
    offer.refresh_from_db()
    assert offer.status == Status.REFUSED
    assert slot_of(w["ana_visit"]) == w["slots"][3]
    page = w["ana"].get(f"/waitlist/offers/{offer.pk}/").content.decode()
    assert "could not be given to you" in page and "Someone else booked" not in page


def test_a_visit_past_the_change_cutoff_cannot_join(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    visit = booked(ana, times(clinic)[3])
    VisitType.objects.filter(pk=clinic.follow_up.pk).update(cancel_cutoff_hours=24 * 365)

    response = ana.post(f"/waitlist/join/{visit}/", {"same_clinician": "on"})

    assert response.status_code == 400
    assert "can be changed online up to" in response.content.decode()
    assert not WaitlistEntry.objects.exists()
