"""Two clicks of "Accept" at the same moment, and two workers sweeping at once, each on its
own database connection: one move, one expiry, one new offer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from porch.access.tests.helpers import client_of
from porch.access.tests.records import build_cast
from porch.scheduling.models import Booking
from porch.scheduling.tests.records import build_clinic
from porch.waitlist.actions import sweep_offers
from porch.waitlist.models import WaitlistOffer
from porch.waitlist.tests.records import answer, booked, cancel, join, open_offers, times

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_queued_writers() -> None:
    if connection.vendor == "sqlite":
        # As in porch/scheduling/tests/test_concurrency.py: the in-memory shared-cache test
        # database answers a second writer "table is locked" instead of waiting.
        pytest.skip("needs a database that queues concurrent writers")


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _offered() -> tuple[dict[str, Any], WaitlistOffer]:
    cast = build_cast()
    slots = times(build_clinic(days=3))
    ana, elda, mallory = client_of(cast.ana), client_of(cast.elda), client_of(cast.mallory)
    mallory_visit = booked(mallory, slots[0], "m")
    ana_visit, elda_visit = booked(ana, slots[4], "a"), booked(elda, slots[5], "e")
    join(ana, ana_visit)
    join(elda, elda_visit)
    cancel(mallory, mallory_visit)
    (offer,) = open_offers("ana")
    return {"ana": ana, "ana_visit": ana_visit, "slots": slots}, offer


def test_two_simultaneous_accepts_move_the_appointment_once() -> None:
    _needs_queued_writers()
    w, offer = _offered()

    responses = _at_once(
        lambda: answer(w["ana"], offer, "accept"), lambda: answer(w["ana"], offer, "accept")
    )

    assert [r.status_code for r in responses] == [302, 302]
    assert Booking.objects.filter(appointment_id=w["ana_visit"]).count() == 2
    assert Booking.objects.get(appointment_id=w["ana_visit"], active=True).slot == w["slots"][0]
    assert [o.slot for o in open_offers("elda")] == [w["slots"][4]]


def test_two_workers_sweeping_at_once_expire_and_reoffer_once() -> None:
    _needs_queued_writers()
    _, offer = _offered()
    later = offer.expires_at

    counts = _at_once(lambda: sweep_offers(later), lambda: sweep_offers(later))

    assert sorted(counts) == [0, 1]
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.EXPIRED
    assert [o.slot for o in open_offers("elda")] == [offer.slot]
