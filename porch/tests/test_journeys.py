"""Patient journeys in a real browser: results and their trend, a parent's view of a teen's
record, a clinician releasing a held result, downloading the record, and axe on every page
of the record in English and Spanish at phone and desktop widths.

The data: the access cast (porch.access.tests.records.build_cast) with the results test
data (porch.results.tests.data.build_results) and a few summary entries and a visit for Ana.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from playwright.sync_api import Page, expect

from porch.access.context import AccessContext
from porch.access.tests.records import CONFIDENTIALITY, TEO, Cast, build_cast
from porch.accounts.tests.cast import ANA, BEN, CRUZ, PASSWORD, totp_now
from porch.chart.tests.records import encounter, summary_entries
from porch.record import repository
from porch.record.validation import validate_resource
from porch.results.models import ResultRelease
from porch.results.tests import data
from porch.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(db: None) -> Cast:
    cast = build_cast()
    data.build_results()
    summary_entries("ana")
    encounter("ana", "2024-02-01T09:00:00Z")
    return cast


def open_from_nav(page: Page, name: str) -> None:
    """Follows a link of the primary navigation (opening the phone menu when it is closed)."""
    link = page.locator("nav.usa-nav").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        link.click()


def switch_to(page: Page, name: str) -> None:
    """Opens another record from the "Records you can open" page."""
    page.goto("/records/")
    with page.expect_navigation():
        page.get_by_test_id("records").get_by_role("button", name=name).click()
    expect(page.get_by_test_id("open-record")).to_contain_text(name)


def reauthenticate_if_asked(page: Page) -> None:
    if "/reauthenticate/" in page.url:
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.press('input[name="password"]', "Enter")


# --- (1) a patient opens a result and its trend ---------------------------------------------


def test_a_patient_opens_a_result_and_sees_the_flag_in_words_and_the_trend(
    cast: Cast, page: Page
) -> None:
    sign_in(page, ANA)
    open_from_nav(page, "Test results")
    assert page.get_by_role("heading", level=1).inner_text() == "Test results"
    with page.expect_navigation():
        page.get_by_test_id("results-list").get_by_role(
            "link", name="Metabolic panel", exact=True
        ).click()
    assert page.url.endswith("/results/panel/")

    glucose = page.get_by_test_id("values").get_by_role("row").filter(has_text="Glucose")
    expect(glucose).to_contain_text("110.5 mg/dL")
    expect(glucose).to_contain_text("70 to 99 mg/dL")
    expect(glucose.locator(".results-flag")).to_have_text("High")
    potassium = page.get_by_test_id("values").get_by_role("row").filter(has_text="Potassium")
    expect(potassium.locator(".results-flag")).to_have_text("Low")

    chart = page.get_by_role("img", name=re.compile(r"^Chart of Glucose over time"))
    expect(chart).to_have_count(1)
    expect(chart).to_have_accessible_name(re.compile(r"5 values, from 92 mg/dL"))
    table = page.get_by_test_id("trend-table")
    expect(table.locator("tbody tr")).to_have_count(5)
    for value in ("92", "95", "101", "104", "110.5"):
        expect(table).to_contain_text(f"{value} mg/dL")

    # Opened: no longer marked new.
    page.goto("/results/")
    listing = page.get_by_test_id("results-list")
    panel = listing.get_by_role("link", name="Metabolic panel", exact=True)
    expect(listing.get_by_role("row").filter(has=panel).get_by_test_id("new")).to_have_count(0)


# --- (2) a parent and a teen's confidential result ---------------------------------------


def test_a_parent_sees_the_childs_result_but_not_the_teens_confidential_one(
    cast: Cast, page: Page
) -> None:
    system = AccessContext.system(actor="system:test", purpose="test")
    carla_obs = data.observation("carla", "718-7", "Hemoglobin", 12.8, "g/dL", data.at(2))
    carla_obs_id = repository.create(system, carla_obs).stored.id
    carla_report = data.report(
        "carla", "58410-2", "Carla blood count", data.at(2), [carla_obs_id], "carla-panel"
    )
    # A second confidential report for Teo: an ordinary code, labelled restricted.
    labelled = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "meta": {"security": [{"system": CONFIDENTIALITY, "code": "R"}]},
        "code": {"coding": [{"system": data.LOINC, "code": "2345-7"}], "text": "Teo private test"},
        "subject": {"reference": "Patient/teo"},
        "effectiveDateTime": data.at(1),
        "issued": data.at(1),
    }
    repository.create(system, labelled, fhir_id="teo-labelled")

    sign_in(page, BEN)
    switch_to(page, "Carla Alvarez")
    page.goto("/results/")
    expect(page.get_by_test_id("results-list")).to_contain_text("Carla blood count")
    with page.expect_navigation():
        page.get_by_role("link", name="Carla blood count").click()
    assert page.url.endswith(f"/results/{carla_report}/")
    expect(page.get_by_test_id("values")).to_contain_text("12.8 g/dL")

    switch_to(page, "Teo Alvarez")
    page.goto("/results/")
    results = page.get_by_test_id("results-list")
    expect(results).to_contain_text("Blood count")
    expect(results).not_to_contain_text("Chlamydia")
    expect(results).not_to_contain_text("Teo private test")
    for hidden in ("chlamydia", "teo-labelled"):
        response = page.goto(f"/results/{hidden}/")
        assert response is not None and response.status == 404

    # Teo himself sees both.
    teo = page.context.browser.new_context(base_url=page.url.split("/results/")[0])  # type: ignore[union-attr]
    try:
        teo_page = teo.new_page()
        sign_in(teo_page, TEO)
        teo_page.goto("/results/")
        expect(teo_page.get_by_test_id("results-list")).to_contain_text("Chlamydia")
        expect(teo_page.get_by_test_id("results-list")).to_contain_text("Teo private test")
    finally:
        teo.close()


# --- (3) a clinician releases a held result ----------------------------------------------


def test_a_clinician_releases_a_held_result_and_the_patient_then_sees_it(
    cast: Cast, page: Page, new_page: Any, settings: Any
) -> None:
    settings.RESULT_RELEASE_HELD_CODES = [data.HIV_CODE]
    settings.RESULT_AUTO_RELEASE_DAYS = 7

    patient = new_page("phone")
    sign_in(patient, ANA)
    patient.goto("/results/")
    expect(patient.get_by_test_id("results-list")).not_to_contain_text("HIV test")

    sign_in(page, CRUZ)
    assert "/accounts/2fa/authenticate/" in page.url, page.url
    page.fill('input[name="code"]', totp_now())
    with page.expect_navigation():
        page.press('input[name="code"]', "Enter")
    assert "/accounts/" not in page.url, page.url

    page.goto("/clinician/patients/")
    page.get_by_label(re.compile("Name, birth date")).fill("Ana")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Ana Alvarez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chart of Ana Alvarez")

    page.goto("/results/")
    row = page.get_by_test_id("results-list").get_by_role("row").filter(has_text="HIV test")
    expect(row.get_by_test_id("held")).to_be_visible()
    with page.expect_navigation():
        row.get_by_role("link", name="HIV test").click()
    expect(page.get_by_test_id("held-notice")).to_be_visible()
    page.get_by_label("Comment for the patient (optional)").fill("Negative: nothing to do.")
    with page.expect_navigation():
        page.get_by_role("button", name="Release to patient").click()
    expect(page.get_by_text("Released to the patient.")).to_be_visible()
    expect(page.get_by_test_id("held-notice")).to_have_count(0)
    release = ResultRelease.objects.get(report_id="hiv")
    assert release.released_by_id == cast.cruz.pk

    patient.goto("/results/")
    with patient.expect_navigation():
        patient.get_by_test_id("results-list").get_by_role("link", name="HIV test").click()
    expect(patient.get_by_test_id("values")).to_contain_text("Negative")
    expect(patient.get_by_test_id("release-comment")).to_have_text("Negative: nothing to do.")


# --- (4) a download -----------------------------------------------------------------------


def test_a_patient_downloads_the_record_as_a_valid_fhir_bundle(
    cast: Cast, page: Page, tmp_path: Path
) -> None:
    sign_in(page, ANA)
    open_from_nav(page, "Download my record")
    reauthenticate_if_asked(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Download my record")
    page.get_by_label("All of my record").check()
    page.get_by_label("FHIR R4 Bundle (JSON)").check()
    with page.expect_download() as info:
        page.locator("main form").get_by_role("button", name="Download").click()
    download = info.value
    assert re.fullmatch(r"record-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    bundle = orjson.loads(target.read_bytes())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert validate_resource(bundle) == []
    assert bundle["entry"]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert validate_resource(resource) == [], (resource["resourceType"], resource["id"])
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert {"ana", "panel", cast.plain["ana"]} <= ids
    assert not {"teo", "mallory", "chlamydia", cast.plain["mallory"]} & ids

    # The download is in "Who has looked at my record".
    open_from_nav(page, "Who has looked at my record")
    expect(page.locator("main")).to_contain_text("downloaded")


# --- secure messaging: a conversation with an attachment --------------------------------------


def test_a_patient_writes_with_a_pdf_and_the_clinician_reads_it_and_answers(
    cast: Cast, page: Page, new_page: Any, tmp_path: Path
) -> None:
    from porch.messaging.demo import sample_pdf
    from porch.tests.browser import assert_accessible

    patient = new_page("phone")
    sign_in(patient, ANA)
    open_from_nav(patient, "Messages")
    expect(patient.get_by_test_id("emergency-notice")).to_contain_text("not for emergencies")
    with patient.expect_navigation():
        patient.get_by_role("link", name="New message").click()
    expect(patient.get_by_test_id("emergency-notice")).to_be_visible()
    assert_accessible(patient)
    patient.get_by_label("What is it about?").select_option(label="Medical question")
    patient.get_by_label("To", exact=True).select_option(label="Dr. Ada Cruz")
    patient.get_by_label("Subject").fill("My blood pressure readings")
    patient.get_by_label("Message").fill("My readings for last week are attached.")
    patient.locator('input[name="attachments"]').set_input_files(
        {
            "name": "bp-log.pdf",
            "mimeType": "application/pdf",
            "buffer": sample_pdf("Home blood pressure log", ["Mon 128/82"]),
        }
    )
    with patient.expect_navigation():
        patient.get_by_role("button", name="Send message").click()
    expect(patient.get_by_test_id("thread-subject")).to_have_text("My blood pressure readings")
    expect(patient.get_by_test_id("read-receipt")).to_have_text("Not read yet by the care team")
    assert_accessible(patient)

    sign_in(page, CRUZ)
    page.fill('input[name="code"]', totp_now())
    with page.expect_navigation():
        page.press('input[name="code"]', "Enter")
    open_from_nav(page, "Patient messages")
    rows = page.get_by_test_id("staff-conversations")
    expect(rows).to_contain_text("Ana Alvarez")
    expect(rows.get_by_test_id("unread")).to_have_count(1)
    assert_accessible(page)
    with page.expect_navigation():
        rows.get_by_role("link", name="My blood pressure readings").click()
    expect(page.get_by_test_id("thread-patient")).to_have_text("Ana Alvarez")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download bp-log.pdf")).click()
    assert info.value.suggested_filename == "bp-log.pdf"
    saved = tmp_path / "bp-log.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    assert_accessible(page)
    page.get_by_label("Your reply").fill("These look good. Keep going.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_test_id("thread-status")).to_have_text("Waiting for the patient")

    open_from_nav(patient, "Messages")
    expect(patient.get_by_test_id("conversations").get_by_test_id("unread")).to_have_count(1)
    with patient.expect_navigation():
        patient.get_by_role("link", name="My blood pressure readings").click()
    messages = patient.get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text("These look good. Keep going.")
    expect(messages.nth(1).get_by_test_id("message-author")).to_have_text("Ada Cruz")
    expect(messages.nth(1)).to_contain_text("(clinician)")
    expect(patient.get_by_test_id("read-receipt")).to_contain_text("Read by Ada Cruz (clinician)")


def test_a_patient_checks_in_and_a_question_appears_when_an_answer_enables_it(
    cast: Cast, new_page: Any
) -> None:
    from porch.checkin.models import CheckIn
    from porch.checkin.tests.records import appointment, stored_questionnaire
    from porch.tests.browser import assert_accessible

    stored_questionnaire()
    visit = appointment("ana")
    patient = new_page("phone")
    sign_in(patient, ANA)
    patient.goto(f"/appointments/{visit}/check-in/")
    expect(patient.get_by_role("heading", name="Check in for your visit")).to_be_visible()
    amount = patient.get_by_test_id("item-smoke-amount")
    expect(amount).to_be_hidden()
    assert_accessible(patient)
    patient.get_by_label("Main reason for the visit").fill("Blood pressure check")
    patient.get_by_test_id("item-smoke").get_by_text("Yes", exact=True).click()
    expect(amount).to_be_visible()
    patient.get_by_label("Cigarettes a day").fill("5")
    patient.get_by_label("Phone").fill("555-0199")
    patient.get_by_text("Yes, it is the same").click()
    for answer in (
        *patient.get_by_text("I still take it").all(),
        *patient.get_by_text("Still allergic").all(),
    ):
        answer.click()
    with patient.expect_navigation():
        patient.get_by_role("button", name="Check in").click()
    expect(patient.get_by_role("heading", name="You are checked in")).to_be_visible()
    assert_accessible(patient)
    checkin = CheckIn.objects.get(appointment_id=visit)
    response = (
        repository.read(
            AccessContext.system(), "QuestionnaireResponse", checkin.questionnaire_response_id
        ).content
        or {}
    )
    answered = {i["linkId"]: i["answer"] for i in response["item"]}
    assert answered["smoke-amount"] == [{"valueInteger": 5}]

    # The clinician sees the reported phone number and accepts it once the chart is updated.
    clinician = new_page("desktop")
    sign_in(clinician, CRUZ)
    clinician.fill('input[name="code"]', totp_now())
    with clinician.expect_navigation():
        clinician.press('input[name="code"]', "Enter")
    clinician.goto(f"/staff/appointments/{visit}/check-in/")
    change = clinician.get_by_test_id("change")
    expect(change).to_contain_text("555-0199")
    expect(clinician.get_by_test_id("answers")).to_contain_text("Cigarettes a day")
    assert_accessible(clinician)
    with clinician.expect_navigation():
        change.get_by_role("button", name="Accept").click()
    expect(change).to_contain_text("Accepted")


# --- prescription refills (porch/medications) ----------------------------------------------


def test_a_patient_asks_for_a_refill_and_sees_it_approved(cast: Cast, new_page: Any) -> None:
    from porch.medications.tests.records import build_medications
    from porch.messaging.tests.records import build_pools
    from porch.tests.browser import assert_accessible

    build_medications()
    build_pools(cast)
    patient = new_page("phone")
    sign_in(patient, ANA)
    open_from_nav(patient, "Health summary")
    with patient.expect_navigation():
        patient.locator('a[href="/medications/med-ana-2/refill/"]').click()
    assert_accessible(patient)
    patient.get_by_label("Pharmacy").select_option(value="pharm-main")
    patient.get_by_label("Note for your care team (optional)").fill("Two tablets left.")
    with patient.expect_navigation():
        patient.get_by_test_id("send-request").click()
    row = patient.get_by_test_id("refill-requests").get_by_role("row").filter(has_text="amLODIPine")
    expect(row.get_by_test_id("refill-status")).to_have_text("Requested")
    assert_accessible(patient)

    clinician = new_page("desktop")
    sign_in(clinician, CRUZ)
    clinician.fill('input[name="code"]', totp_now())
    with clinician.expect_navigation():
        clinician.press('input[name="code"]', "Enter")
    open_from_nav(clinician, "Refill requests")
    with clinician.expect_navigation():
        clinician.get_by_test_id("refill-queue").get_by_role("link", name="Ana Alvarez").click()
    expect(clinician.get_by_test_id("refill-detail")).to_contain_text("Two tablets left.")
    assert_accessible(clinician)
    clinician.get_by_text("Approve: send a new prescription").click()
    clinician.get_by_label("Quantity (leave blank to keep it)").fill("90")
    with clinician.expect_navigation():
        clinician.get_by_test_id("send-answer").click()
    expect(clinician.get_by_text("Your answer was recorded")).to_be_visible()

    patient.goto("/medications/refills/")
    row = patient.get_by_test_id("refill-requests").get_by_role("row").filter(has_text="amLODIPine")
    expect(row.get_by_test_id("refill-status")).to_have_text("Approved")


# --- (8) a patient books, moves and cancels a visit -----------------------------------------


def test_a_patient_books_then_moves_then_cancels_a_visit(cast: Cast, new_page: Any) -> None:
    from porch.scheduling import demo
    from porch.scheduling.models import Booking, VisitType
    from porch.tests.browser import assert_accessible

    # The demo clinic's schedule (Ana also gets its booked follow-up).
    demo.ensure(AccessContext.system(), "pr-cruz", "pr-diaz", "ana")
    # No cutoff, so the soonest times can be moved and cancelled whatever day this runs.
    VisitType.objects.filter(slug="follow-up").update(cancel_cutoff_hours=0)
    patient = new_page("phone")
    sign_in(patient, ANA)
    open_from_nav(patient, "Appointments")
    with patient.expect_navigation():
        patient.get_by_role("link", name="Book an appointment").click()
    patient.get_by_label("Visit type").select_option(label="Follow-up")
    patient.get_by_label("Clinician").select_option(label="Dan Diaz")
    with patient.expect_navigation():
        patient.get_by_role("button", name="Show open times").click()
    assert_accessible(patient)
    times = patient.get_by_test_id("slots").get_by_role("link", name=re.compile("^Choose"))
    with patient.expect_navigation():
        times.first.click()
    expect(patient.get_by_role("heading", name="Confirm your appointment")).to_be_visible()
    with patient.expect_navigation():
        patient.get_by_role("button", name="Confirm booking").click()
    expect(patient.get_by_text("Your appointment is booked.")).to_be_visible()
    booked = Booking.objects.get(active=True, slot__practitioner_id="pr-diaz")
    assert booked.patient_id == "ana" and booked.booked_by == cast.ana

    # Move it to another of Dr. Diaz's times.
    with patient.expect_navigation():
        patient.get_by_role("link", name="Change the time").click()
    with patient.expect_navigation():
        patient.get_by_role("button", name="Show open times").click()
    with patient.expect_navigation():
        patient.get_by_test_id("slots").get_by_role("link", name=re.compile("^Choose")).nth(
            1
        ).click()
    with patient.expect_navigation():
        patient.get_by_role("button", name="Move my appointment").click()
    expect(patient.get_by_text("Your appointment was moved.")).to_be_visible()
    moved = Booking.objects.get(active=True, appointment_id=booked.appointment_id)
    assert moved.slot_id != booked.slot_id

    # Cancel it, with a reason.
    with patient.expect_navigation():
        patient.get_by_role("link", name="Cancel the appointment").click()
    patient.get_by_label("Why are you cancelling?").fill("Feeling better")
    with patient.expect_navigation():
        patient.get_by_role("button", name="Cancel the appointment").click()
    expect(patient.get_by_text("Your appointment was cancelled.")).to_be_visible()
    assert not Booking.objects.filter(active=True, appointment_id=booked.appointment_id).exists()
    expect(patient.get_by_test_id("past")).to_contain_text("Cancelled")
    # The demo follow-up is still upcoming.
    expect(patient.get_by_test_id("upcoming").get_by_role("listitem")).to_have_count(1)
