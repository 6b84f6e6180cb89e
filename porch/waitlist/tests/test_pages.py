"""The waitlist on Ana's appointment page: asking for an earlier time, being on the list,
an offer shown there, and leaving."""

from __future__ import annotations

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.scheduling.tests.records import Clinic
from porch.waitlist.models import WaitlistEntry, WaitlistOffer
from porch.waitlist.tests.records import booked, cancel, join, open_offers, times

pytestmark = pytest.mark.django_db


def test_ana_asks_for_an_earlier_time_from_her_appointment_page(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    visit = booked(ana, times(clinic)[4])
    page = ana.get(f"/appointments/{visit}/").content.decode()
    assert "Ask for an earlier time" in page
    assert f'action="/waitlist/join/{visit}/"' in page

    response = ana.post(f"/waitlist/join/{visit}/", {})

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient_id="ana", active=True)
    assert entry.same_clinician is False  # the box was left unticked
    assert entry.requested_by == cast.ana
    page = ana.get(f"/appointments/{visit}/").content.decode()
    assert "You are on the waitlist" in page
    assert "with any clinician" in page
    assert "Leave the waitlist" in page and "Ask for an earlier time" not in page


def test_joining_twice_keeps_one_entry(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    visit = booked(ana, times(clinic)[4])

    join(ana, visit)
    join(ana, visit, same_clinician=False)

    entry = WaitlistEntry.objects.get()
    assert entry.same_clinician is True


def test_an_offer_shows_on_the_appointment_page_with_its_link(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    ana, mallory = client_of(cast.ana), client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    visit = booked(ana, slots[4], "a")
    join(ana, visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("ana")

    page = ana.get(f"/appointments/{visit}/").content.decode()

    assert 'data-testid="waitlist-offer"' in page
    assert f'href="/waitlist/offers/{offer.pk}/"' in page


def test_leaving_the_waitlist_passes_an_open_offer_to_the_next(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    ana, elda, mallory = client_of(cast.ana), client_of(cast.elda), client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    ana_visit, elda_visit = booked(ana, slots[4], "a"), booked(elda, slots[5], "e")
    join(ana, ana_visit)
    join(elda, elda_visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("ana")

    response = ana.post(f"/waitlist/leave/{ana_visit}/")

    assert response.status_code == 302
    assert not WaitlistEntry.objects.filter(patient_id="ana", active=True).exists()
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.DECLINED
    assert [o.slot for o in open_offers("elda")] == [slots[0]]
    page = ana.get(f"/appointments/{ana_visit}/").content.decode()
    assert "Ask for an earlier time" in page


def test_a_cancelled_appointment_cannot_join_and_says_why(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    visit = booked(ana, times(clinic)[4])
    cancel(ana, visit)
    assert "Ask for an earlier time" not in ana.get(f"/appointments/{visit}/").content.decode()

    response = ana.post(f"/waitlist/join/{visit}/", {"same_clinician": "on"})

    assert response.status_code == 400
    assert "Only an upcoming appointment booked in Porch" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_joining_and_leaving_only_by_post(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    visit = booked(ana, times(clinic)[4])
    assert ana.get(f"/waitlist/join/{visit}/").status_code == 405
    assert ana.get(f"/waitlist/leave/{visit}/").status_code == 405


def test_the_waitlist_speaks_spanish(cast: Cast, clinic: Clinic) -> None:
    slots = times(clinic)
    ana, mallory = client_of(cast.ana), client_of(cast.mallory)
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    mallory_visit = booked(mallory, slots[0], "m")
    visit = booked(ana, slots[4], "a")
    assert "Pedir un horario más temprano" in ana.get(f"/appointments/{visit}/").content.decode()
    join(ana, visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("ana")

    page = ana.get(f"/waitlist/offers/{offer.pk}/").content.decode()

    assert "Un horario más temprano para usted" in page
    assert "Aceptar este horario" in page
