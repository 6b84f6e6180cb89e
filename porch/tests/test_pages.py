"""The page foundation: layout, language switch, accessibility, and no third-party origin."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page

from porch.access.context import AccessContext
from porch.access.tests.helpers import client_of
from porch.access.tests.records import build_cast
from porch.accounts.models import PatientLink, Role, User
from porch.accounts.tests.cast import ANA, CRUZ, PASSWORD, make_user, totp_now
from porch.chart.tests.records import encounter, note, summary_entries
from porch.messaging.tests.records import build_pools, latest, write
from porch.record import repository
from porch.results.tests import data
from porch.tests.browser import assert_accessible, sign_in, sign_out

PAGES = ["/", "/records/", "/record/activity/"]


@pytest.fixture
def ana(db: None) -> User:
    """Ana, a patient whose account is linked to her (small) record."""
    ctx = AccessContext.system(actor="system:test", purpose="test")
    patient = {
        "resourceType": "Patient",
        "name": [{"use": "official", "given": ["Ana"], "family": "Alvarez"}],
        "birthDate": "1985-04-12",
    }
    repository.create(ctx, patient, fhir_id="ana")
    user = make_user(ANA, Role.PATIENT)
    PatientLink.objects.create(user=user, patient_id="ana")
    return user


# --- HTTP ---------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Collects the src/href of every script, link and img."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link", "img"}:
            self.urls += [v for k, v in attrs if k in {"src", "href"} and v]


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def _csp(header: str) -> dict[str, set[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in directives}


@pytest.mark.django_db
def test_no_page_loads_anything_from_another_origin(ana: User) -> None:
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(ana)
    responses = [anonymous.get("/"), anonymous.get("/accounts/login/")]
    responses += [signed_in.get(url) for url in PAGES]
    seen: set[str] = set()
    for response in responses:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert _csp(response["Content-Security-Policy"]) == EXPECTED_CSP
        urls = _assets(response.content.decode())
        assert any("vendor/uswds" in url for url in urls)
        for url in urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"third-party asset {url}"
        seen.update(urls)
    for url in sorted(seen):
        # Every asset is Porch's own and is there (`make assets` copied the npm packages).
        response = anonymous.get(url)
        assert response.status_code == 200, url
        if hasattr(response, "close"):
            response.close()


@pytest.mark.django_db
def test_the_language_switch_stores_the_choice_on_the_account(ana: User) -> None:
    client = Client()
    client.force_login(ana)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/records/"})
    assert response.status_code == 302 and response["Location"] == "/records/"
    ana.refresh_from_db()
    assert ana.language == "es"
    page = client.get("/records/")
    assert '<html lang="es">' in page.content.decode()
    assert "Registro de Ana Alvarez" in page.content.decode()


@pytest.mark.django_db
def test_the_stored_language_comes_back_at_sign_in_on_a_new_browser(ana: User) -> None:
    User.objects.filter(pk=ana.pk).update(language="es")
    client = Client()
    response = client.post("/accounts/login/", {"login": ANA, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_anonymous_visitor_can_switch_language_without_an_account() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.cookies["django_language"].value == "es"
    assert "Bienvenido a Porch" in client.get("/").content.decode()
    assert client.post("/i18n/setlang/", {"language": "xx"}).status_code == 302


# --- In the browser -----------------------------------------------------------------


def _in_language(page: Page, user: User, language: str, url: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])


def _sign_in_with_code(page: Page, email: str) -> None:
    """Signs in a clinician: password, then the authenticator's code."""
    sign_in(page, email)
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill('input[name="code"]', totp_now())
        with page.expect_navigation():
            page.press('input[name="code"]', "Enter")
    assert "/accounts/" not in page.url, page.url


def _check(page: Page, url: str, language: str) -> None:
    response = page.goto(url)
    if "/reauthenticate/" in page.url:  # the download asks for the password again
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.press('input[name="password"]', "Enter")
    assert response is not None and response.status == 200, (url, response and response.status)
    assert page.url.endswith(url), (url, page.url)
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)


@pytest.mark.browser
def test_a_patient_switches_to_spanish_and_it_stays(ana: User, page: Page, new_page: Any) -> None:
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, ANA)
    assert page.get_by_test_id("open-record").inner_text() == "Record of Ana Alvarez"

    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_test_id("open-record").inner_text() == "Registro de Ana Alvarez"

    page.goto("/records/")
    assert page.get_by_role("heading", level=1).inner_text() == "Registros que puede abrir"
    ana.refresh_from_db()
    assert ana.language == "es"

    sign_out(page)
    assert page.locator("html").get_attribute("lang") == "es"

    # Another browser, no cookie: the account remembers.
    other = new_page("phone")
    sign_in(other, ANA)
    assert other.locator("html").get_attribute("lang") == "es"
    assert other.get_by_test_id("open-record").inner_text() == "Registro de Ana Alvarez"
    # On a phone the switch back is in sight without opening the menu.
    assert other.get_by_role("button", name="English").is_visible()
    assert csp_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_foundation_pages_pass_axe(
    ana: User, page: Page, language: str, live_server: Any
) -> None:
    _in_language(page, ana, language, live_server.url)
    _check(page, "/accounts/login/", language)
    sign_in(page, ANA)
    for url in PAGES:
        _check(page, url, language)


# --- The pages of the patient's record (issue 4) ------------------------------------------

# {visit}: Ana's visit. The report "panel" has a trend (glucose measured five times).
RECORD_PAGES = [
    "/",
    "/results/",
    "/results/panel/",
    "/results/preferences/",
    "/summary/",
    "/summary/immunizations/print/",
    "/visits/",
    "/visits/{visit}/",
    "/record/download/",
    "/record/activity/",
]
CLINICIAN_PAGES = ["/clinician/patients/?q=Ana", "/clinician/patients/ana/"]


@pytest.fixture
def record(db: None, settings: Any) -> dict[str, str]:
    """The access cast with Ana's results (one held from her), summary, a visit and its note."""
    settings.RESULT_RELEASE_HELD_CODES = [data.HIV_CODE]
    settings.RESULT_AUTO_RELEASE_DAYS = 7
    build_cast()
    data.build_results()
    summary_entries("ana")
    visit = encounter("ana", "2024-02-01T09:00:00Z")
    note("ana", visit, "text/plain", "Rest and drink water.")
    return {"visit": visit}


# --- Messages and notifications (issue 5) -------------------------------------------------

# {thread}: Ana's conversation with Dr. Cruz, answered.
PATIENT_MESSAGE_PAGES = [
    "/messages/",
    "/messages/new/",
    "/messages/{thread}/",
    "/notifications/",
    "/notifications/settings/",
]
STAFF_MESSAGE_PAGES = [
    "/staff/messages/",
    "/staff/messages/{thread}/",
    "/staff/messages/quick-replies/",
]


@pytest.fixture
def conversation(db: None) -> dict[str, str]:
    """The access cast, the messaging pools, and a conversation Dr. Cruz has answered."""
    cast = build_cast()
    build_pools(cast)
    write(client_of(cast.ana), subject="Rash on my arm")
    thread = latest().thread_id
    client_of(cast.cruz).post(f"/staff/messages/{thread}/", {"body": "Please send a photo."})
    return {"thread": thread}


# --- Appointments, check-in and refills (issue 6) -----------------------------------------

# {visit}: Ana's follow-up in the demo schedule (check-in open); {slot}: an open time of
# Dr. Diaz; {refill}: Ana's refill request.
PATIENT_APPOINTMENT_PAGES = [
    "/appointments/",
    "/appointments/book/?visit_type=follow-up",
    "/appointments/book/?visit_type=annual",
    "/appointments/request/?visit_type=annual",
    "/appointments/book/{slot}/",
    "/appointments/{visit}/",
    "/appointments/{visit}/reschedule/",
    "/appointments/{visit}/reschedule/{slot}/",
    "/appointments/{visit}/cancel/",
    "/appointments/{visit}/check-in/",
    "/medications/med-ana-2/refill/",
    "/medications/refills/",
]
STAFF_APPOINTMENT_PAGES = [
    "/staff/appointments/{visit}/check-in/",
    "/staff/refills/",
    "/staff/refills/{refill}/",
    "/staff/schedule/",
    "/staff/patients/ana/appointments/",
    "/staff/patients/ana/appointments/book/?visit_type=annual",
    "/staff/patients/ana/appointments/book/{slot}/",
    "/staff/appointments/{visit}/move/",
    "/staff/appointments/{visit}/move/{slot}/",
    "/staff/appointments/{visit}/cancel/",
]


@pytest.fixture
def appointments(db: None) -> dict[str, str]:
    """The cast, the demo schedule (Ana's follow-up), its questionnaire, and a refill request."""
    from porch.checkin.tests.records import stored_questionnaire
    from porch.medications.tests.records import ask, build_medications
    from porch.medications.tests.records import latest as latest_refill
    from porch.scheduling import demo
    from porch.scheduling.models import Booking
    from porch.scheduling.queries import open_slots

    cast = build_cast()
    build_pools(cast)
    demo.ensure(AccessContext.system(), "pr-cruz", "pr-diaz", "ana")
    stored_questionnaire()
    build_medications()
    ask(client_of(cast.ana), "med-ana")
    visit = Booking.objects.get(active=True).appointment_id
    slot = open_slots(practitioner_id="pr-diaz").first()
    assert slot is not None
    return {"visit": visit, "slot": str(slot.pk), "refill": latest_refill().task_id}


# --- Every page set above, in both languages and at both widths -----------------------------

# The fixture that makes each set's records, then the pages Ana opens and those Dr. Cruz
# opens; the fixture's values fill the pages' {ids}.
PAGE_SETS = {
    "record": ("record", RECORD_PAGES, CLINICIAN_PAGES),
    "messages": ("conversation", PATIENT_MESSAGE_PAGES, STAFF_MESSAGE_PAGES),
    "appointments": ("appointments", PATIENT_APPOINTMENT_PAGES, STAFF_APPOINTMENT_PAGES),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("pages", list(PAGE_SETS))
def test_the_pages_pass_axe(
    pages: str,
    request: pytest.FixtureRequest,
    new_page: Callable[[str], Page],
    language: str,
    width: str,
    live_server: Any,
) -> None:
    fixture, patient_pages, staff_pages = PAGE_SETS[pages]
    values: dict[str, str] = request.getfixturevalue(fixture)
    for (email, sign_in_as), urls in (
        ((ANA, sign_in), patient_pages),
        ((CRUZ, _sign_in_with_code), staff_pages),
    ):
        browser = new_page(width)
        _in_language(browser, User.objects.get(email=email), language, live_server.url)
        sign_in_as(browser, email)
        for url in urls:
            _check(browser, url.format(**values), language)
