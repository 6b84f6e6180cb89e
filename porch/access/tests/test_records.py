"""Which records a login may open, the switcher, and whose record every page shows."""

from __future__ import annotations

import pytest
from django.test import Client

from porch.access.rules import context_for_request
from porch.access.tests.helpers import client_of, fhir, ids, total
from porch.access.tests.records import Cast

pytestmark = pytest.mark.django_db


def _open_record(client: Client) -> str:
    page = client.get("/records/").content.decode()
    marker = 'data-testid="open-record">'
    return page.split(marker, 1)[1].split("</span>", 1)[0] if marker in page else ""


def test_a_patient_sees_their_own_record_and_nobody_elses(cast: Cast) -> None:
    ana = client_of(cast.ana)
    assert fhir(ana, "/fhir/Patient/ana")[0] == 200
    assert fhir(ana, f"/fhir/Condition/{cast.plain['ana']}")[0] == 200
    assert fhir(ana, "/fhir/Patient/mallory")[0] == 404
    assert fhir(ana, f"/fhir/Condition/{cast.plain['mallory']}")[0] == 404
    assert ids(fhir(ana, "/fhir/Patient")[1]) == {"ana"}


def test_mallory_is_refused_anas_record(cast: Cast) -> None:
    mallory = client_of(cast.mallory)
    assert fhir(mallory, "/fhir/Patient/ana")[0] == 404
    assert total(mallory, "/fhir/Condition?patient=ana") == 0


def test_an_anonymous_visitor_gets_nobody_and_the_api_refuses_them(cast: Cast) -> None:
    assert Client().get("/fhir/Patient/ana").status_code == 401
    assert Client().get("/records/").status_code == 302  # to sign-in


def test_a_parent_opens_one_child_at_a_time(cast: Cast) -> None:
    ben = client_of(cast.ben)
    # Default: the first record a grant opens (Carla's).
    assert ids(fhir(ben, "/fhir/Patient")[1]) == {"carla"}
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    assert ids(fhir(ben, "/fhir/Patient")[1]) == {"teo"}
    assert fhir(ben, f"/fhir/Condition/{cast.plain['carla']}")[0] == 404


def test_opening_a_record_one_may_not_open_answers_like_a_missing_one(cast: Cast) -> None:
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "ana"}).status_code == 404
    assert ben.post("/records/open/", {"patient": "no-such-patient"}).status_code == 404
    assert ids(fhir(ben, "/fhir/Patient")[1]) == {"carla"}


def test_the_switcher_needs_a_post_with_its_csrf_token(cast: Cast) -> None:
    ben = Client(enforce_csrf_checks=True)
    ben.force_login(cast.ben)
    assert ben.get("/records/open/?patient=teo").status_code == 405
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 403


def test_the_switcher_returns_only_to_this_site(cast: Cast) -> None:
    ben = client_of(cast.ben)
    response = ben.post("/records/open/", {"patient": "teo", "next": "https://evil.example/"})
    assert response["Location"] == "/records/"
    response = ben.post("/records/open/", {"patient": "teo", "next": "/proxies/"})
    assert response["Location"] == "/proxies/"


def test_every_page_shows_whose_record_is_open(cast: Cast) -> None:
    ben = client_of(cast.ben)
    assert _open_record(ben) == "Record of Carla Alvarez"
    ben.post("/records/open/", {"patient": "teo"})
    assert _open_record(ben) == "Record of Teo Alvarez"
    assert _open_record(client_of(cast.ana)) == "Record of Ana Alvarez"
    assert _open_record(client_of(cast.diaz)) == ""


def test_the_open_record_says_whether_it_is_ones_own_and_limited(cast: Cast, rf) -> None:  # type: ignore[no-untyped-def]
    from porch.access.context_processors import open_record

    ben = client_of(cast.ben)
    ben.post("/records/open/", {"patient": "teo"})
    response = ben.get("/records/")
    assert response.context["open_record"] == {
        "id": "teo",
        "name": "Teo Alvarez",
        "is_self": False,
        "limited": True,
    }
    teo = client_of(cast.teo).get("/records/")
    assert teo.context["open_record"]["is_self"] is True
    assert teo.context["open_record"]["limited"] is False
    assert open_record(rf.get("/")) == {"open_record": None}


def test_the_records_page_lists_what_one_may_open(cast: Cast) -> None:
    page = client_of(cast.ben).get("/records/").content.decode()
    assert "Carla Alvarez" in page and "Teo Alvarez" in page
    assert "Ana Alvarez" not in page
    assert "some confidential items are not shown" in page


def test_the_context_names_who_acts_from_where(cast: Cast) -> None:
    gil = client_of(cast.gil)
    response = gil.get("/records/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-browser")
    ctx = response.wsgi_request.access
    assert ctx.user_id == cast.gil.pk
    assert ctx.role == "proxy"
    assert ctx.purpose == "proxy-access"
    assert ctx.actor == "Gil Gomez"
    assert ctx.acting_for == "elda"
    assert ctx.patient_ids == frozenset({"elda"})
    assert ctx.may_write  # Elda let him act
    assert ctx.client_ip == "10.1.2.3"
    assert ctx.user_agent == "pytest-browser"


def test_a_view_only_proxy_may_not_write(cast: Cast) -> None:
    ctx = client_of(cast.ben).get("/records/").wsgi_request.access
    assert not ctx.may_write
    assert context_for_request(Client().get("/records/").wsgi_request).patient_ids == frozenset()


def test_a_signed_in_account_without_a_record_sees_nothing(cast: Cast) -> None:
    fran = client_of(cast.fran)
    status, bundle = fhir(fran, "/fhir/Patient")
    assert status == 200 and ids(bundle) == set()
    ctx = fran.get("/records/").wsgi_request.access
    assert ctx.role == "front_desk" and ctx.patient_ids == frozenset()
