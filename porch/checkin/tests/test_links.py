"""The appointment pages lead to check-in while it is open, and say when it is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.checkin.models import CheckIn
from porch.checkin.tests.records import appointment

pytestmark = pytest.mark.django_db


def _check_in_links(html: str) -> int:
    return html.count('data-testid="check-in"')


def test_the_list_links_check_in_only_inside_the_window(cast: Cast) -> None:
    soon = appointment("ana", timezone.now() + timedelta(days=1))
    later = appointment("ana", timezone.now() + timedelta(days=20))
    html = client_of(cast.ana).get("/appointments/").content.decode()
    assert _check_in_links(html) == 1
    assert f"/appointments/{soon}/check-in/" in html
    assert f"/appointments/{later}/check-in/" not in html


def test_a_done_check_in_reads_checked_in_on_the_list_and_the_visit(cast: Cast) -> None:
    soon = appointment("ana", timezone.now() + timedelta(days=1))
    CheckIn.objects.create(appointment_id=soon, patient_id="ana", submitted_at=timezone.now())
    ana = client_of(cast.ana)
    for page in ("/appointments/", f"/appointments/{soon}/"):
        html = ana.get(page).content.decode()
        assert _check_in_links(html) == 0 and 'data-testid="checked-in"' in html, page


def test_the_visit_page_links_check_in_while_open(cast: Cast) -> None:
    soon = appointment("ana", timezone.now() + timedelta(days=1))
    cancelled = appointment("ana", timezone.now() + timedelta(days=1), status="cancelled")
    ana = client_of(cast.ana)
    assert _check_in_links(ana.get(f"/appointments/{soon}/").content.decode()) == 1
    assert _check_in_links(ana.get(f"/appointments/{cancelled}/").content.decode()) == 0


def test_the_list_asks_for_check_ins_once_however_many_visits_are_open(cast: Cast) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_of(cast.ana).get("/appointments/").status_code == 200
        return len(captured)

    appointment("ana", timezone.now() + timedelta(days=1))
    queries_for_list()  # the first request of a session does more (e.g. its access state)
    one = queries_for_list()
    for hours in (30, 40, 50):
        appointment("ana", timezone.now() + timedelta(hours=hours))
    assert queries_for_list() == one
