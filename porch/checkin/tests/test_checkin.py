"""Check-in over HTTP: who may check in (the patient, a teen, a proxy who may act), when
(the window before a booked visit), what it writes (one QuestionnaireResponse, reports to
reconcile, never an edit of the clinician's record), and the clinician's side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, create, system
from porch.audit.models import Action, AuditEvent
from porch.checkin import queries
from porch.checkin.models import CheckIn, ReportedChange
from porch.checkin.tests.records import VISIT_TYPE, appointment, stored_questionnaire
from porch.record import repository, search
from porch.scheduling.queries import Visit

pytestmark = pytest.mark.django_db

ANSWERS = {"qr-q_reason": "Blood pressure", "qr-q_smoke": "false", "qr-q_pain": "2"}


def url(appointment_id: str) -> str:
    return f"/appointments/{appointment_id}/check-in/"


def open_record(client: Client, patient_id: str) -> Client:
    assert client.post("/records/open/", {"patient": patient_id}).status_code == 302
    return client


def add_record(patient_id: str, medicines: int = 1) -> dict[str, str]:
    """Contact details, insurance, medicines and an allergy in the patient's record."""
    patient = repository.read(system(), "Patient", patient_id).content or {}
    patient["telecom"] = [
        {"system": "phone", "value": "555-0100"},
        {"system": "email", "value": "ana@example.org"},
    ]
    patient["address"] = [{"line": ["1 Main St"], "city": "Springfield", "postalCode": "11111"}]
    repository.update(system(), "Patient", patient_id, patient)
    ids = {
        "coverage": create(
            {
                "resourceType": "Coverage",
                "status": "active",
                "beneficiary": {"reference": f"Patient/{patient_id}"},
                "payor": [{"display": "Acme Health"}],
                "subscriberId": "A-123",
            }
        ),
        "allergy": create(
            {
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": f"Patient/{patient_id}"},
                "code": {"text": "Penicillin"},
            }
        ),
    }
    for index in range(medicines):
        ids[f"medication_{index}"] = create(
            {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "subject": {"reference": f"Patient/{patient_id}"},
                "medicationCodeableConcept": {"text": f"Medicine {index}"},
                "authoredOn": "2026-01-01",
            }
        )
    return ids


def form_data(medicines: int = 1, **extra: str) -> dict[str, str]:
    data = {
        "phone": "555-0100",
        "email": "ana@example.org",
        "address": "1 Main St, Springfield 11111",
        "insurance": "same",
        "allergy_0": "taking",
        **{f"medication_{i}": "taking" for i in range(medicines)},
        **ANSWERS,
    }
    return {**data, **extra}


# What a check-in reads and must never change.
RECORD_TYPES = ("Patient", "Coverage", "MedicationRequest", "AllergyIntolerance", "Appointment")


def record_versions() -> dict[tuple[str, str], int]:
    ctx = system()
    return {
        (r.resource_type, r.id): r.version_id
        for resource_type in RECORD_TYPES
        for r in search.search(ctx, resource_type, [], default_count=1000).matches
    }


def responses() -> int:
    found = search.search(system(), "QuestionnaireResponse", [("_summary", "count")])
    return found.total or 0


@pytest.fixture
def visit(cast: Cast) -> str:
    stored_questionnaire()
    add_record("ana")
    return appointment("ana")


def test_a_patient_checks_in_with_the_visit_questionnaire(cast: Cast, visit: str) -> None:
    ana = client_of(cast.ana)
    page = ana.get(url(visit))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("555-0100", "Acme Health", "Medicine 0", "Penicillin", "Do you smoke?"):
        assert text in html
    response = ana.post(url(visit), form_data())
    assert response.status_code == 302
    checkin = CheckIn.objects.get(appointment_id=visit)
    assert checkin.patient_id == "ana" and checkin.submitted_by == cast.ana
    qr = repository.read(system(), "QuestionnaireResponse", checkin.questionnaire_response_id)
    content = qr.content or {}
    assert content["subject"] == {"reference": "Patient/ana"}
    assert content["status"] == "completed"
    assert [i["linkId"] for i in content["item"]] == ["reason", "smoke", "pain"]
    assert ReportedChange.objects.count() == 0
    done = ana.get(url(visit)).content.decode()
    assert 'data-testid="checkin-status"' in done


def test_a_double_submit_makes_one_questionnaire_response(cast: Cast, visit: str) -> None:
    ana = client_of(cast.ana)
    assert ana.post(url(visit), form_data()).status_code == 302
    assert ana.post(url(visit), form_data(new_medication="Aspirin")).status_code == 200
    assert CheckIn.objects.count() == 1
    assert responses() == 1
    assert ReportedChange.objects.count() == 0


def test_changes_become_reports_and_nothing_in_the_record_is_edited(cast: Cast, visit: str) -> None:
    before = record_versions()
    assert {t for t, _id in before} == set(RECORD_TYPES)  # each kind is there to be edited
    data = form_data(
        phone="555-0199",
        insurance="changed",
        insurance_details="Beta Care B-9",
        medication_0="stopped",
        allergy_0="unsure",
        new_medication="Ibuprofen 200 mg",
        new_allergy="Peanuts",
    )
    assert client_of(cast.ana).post(url(visit), data).status_code == 302
    assert record_versions() == before
    reports = list(ReportedChange.objects.values_list("kind", "subject", "report", "state"))
    assert reports == [
        ("contact", "Phone", "555-0199", "pending"),
        ("insurance", "Insurance", "Beta Care B-9", "pending"),
        ("medication", "Medicine 0", "I stopped", "pending"),
        ("medication", "Ibuprofen 200 mg", "I take this", "pending"),
        ("allergy", "Penicillin", "Not sure", "pending"),
        ("allergy", "Peanuts", "I am allergic", "pending"),
    ]


def test_bad_answers_are_shown_naming_the_question_and_nothing_is_stored(
    cast: Cast, visit: str
) -> None:
    data = form_data(**{"qr-q_pain": "7", "qr-q_since": "2026-13-01", "qr-q_where": "999"})
    del data["medication_0"]
    response = client_of(cast.ana).post(url(visit), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Since when?”: enter a date as year-month-day" in html
    assert "“Where is the pain?”: choose one of the answers offered." in html
    assert "“Medicine 0”: say whether you still take it." in html
    assert CheckIn.objects.count() == 0
    assert responses() == 0


def test_a_changed_insurance_needs_its_details(cast: Cast, visit: str) -> None:
    response = client_of(cast.ana).post(url(visit), form_data(insurance="changed"))
    assert response.status_code == 400
    assert "Tell us your new insurance company and member number." in response.content.decode()


@pytest.mark.parametrize(
    ("start", "status", "reason"),
    [
        (timedelta(days=3, minutes=5), "booked", "Check-in opens 3 days before the visit"),
        (timedelta(minutes=-1), "booked", "Check-in closed when the visit started."),
        (timedelta(days=1), "cancelled", "This visit is not booked"),
    ],
)
def test_check_in_is_refused_outside_its_window_with_a_reason(
    cast: Cast, start: timedelta, status: str, reason: str
) -> None:
    visit = appointment("ana", timezone.now() + start, status=status)
    ana = client_of(cast.ana)
    for response in (ana.get(url(visit)), ana.post(url(visit), form_data())):
        assert response.status_code == 403
        assert reason in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_an_appointment_booked_in_porch_is_checked_in_for(cast: Cast) -> None:
    from porch.scheduling.models import Booking
    from porch.scheduling.tests.records import CLINIC, book, build_clinic, free

    clinic = build_clinic(days=2)
    ana = client_of(cast.ana)
    assert book(ana, free(clinic.follow_up)).status_code == 302
    page = ana.get(url(Booking.objects.get().appointment_id))
    assert page.status_code == 200 and "Follow-up" in page.content.decode()
    visit: Visit = page.context["visit"]
    assert (visit.patient_id, visit.visit_type) == ("ana", "Follow-up")
    assert (visit.clinician_id, visit.location) == ("pr-cruz", CLINIC)
    # The code is the slug, so the visit type's questionnaire mapping applies.
    assert visit.visit_code == clinic.follow_up.slug == VISIT_TYPE


def test_check_in_opens_just_inside_the_configured_days(cast: Cast) -> None:
    visit = appointment("ana", timezone.now() + timedelta(days=3, minutes=-5))
    assert client_of(cast.ana).get(url(visit)).status_code == 200
    with override_settings(CHECKIN_OPENS_DAYS_BEFORE=1):
        assert client_of(cast.ana).get(url(visit)).status_code == 403


def test_the_window_edges_are_exact() -> None:
    start = timezone.now()
    visit = Visit("a", start, None, "booked", "", "", "", "", patient_id="ana")
    queries.check_window(visit, start - timedelta(days=3))
    queries.check_window(visit, start - timedelta(microseconds=1))
    for now in (start - timedelta(days=3, microseconds=1), start):
        with pytest.raises(queries.NotOpen):
            queries.check_window(visit, now)


def test_a_teen_checks_in_for_themself(cast: Cast) -> None:
    visit = appointment("teo")
    response = client_of(cast.teo).post(url(visit), form_data(medicines=0, allergy_0=""))
    assert response.status_code == 302
    assert CheckIn.objects.get().patient_id == "teo"


def test_a_proxy_who_may_act_checks_in_and_one_who_may_only_view_is_told(cast: Cast) -> None:
    elda_visit = appointment("elda")
    gil = open_record(client_of(cast.gil), "elda")
    assert gil.post(url(elda_visit), form_data(medicines=0)).status_code == 302
    assert CheckIn.objects.get().submitted_by == cast.gil

    teo_visit = appointment("teo")
    ben = open_record(client_of(cast.ben), "teo")
    for response in (ben.get(url(teo_visit)), ben.post(url(teo_visit), form_data(medicines=0))):
        assert response.status_code == 403
        assert "checking in needs permission to act" in response.content.decode()
    assert CheckIn.objects.count() == 1


def test_outsiders_find_no_visit(cast: Cast, visit: str) -> None:
    for outsider in cast.outsiders:
        client = client_of(outsider)
        assert client.get(url(visit)).status_code == 404, outsider
        assert client.post(url(visit), form_data()).status_code == 404, outsider
    assert client_of(cast.cruz).get(url(visit)).status_code == 404  # the staff page is his
    assert client_of(cast.ana).get(url("no-such-visit")).status_code == 404
    assert CheckIn.objects.count() == 0


def test_an_appointment_of_someone_else_in_ana_s_compartment_is_not_hers(cast: Cast) -> None:
    """Only the Appointment's patient participant checks in."""
    other = appointment("mallory")
    assert client_of(cast.ana).get(url(other)).status_code == 404


def _reported(cast: Cast, visit: str) -> list[ReportedChange]:
    data = form_data(phone="555-0199", medication_0="stopped", **{"qr-q_smoke": "true"})
    data["qr-q_smoke_amount"] = "3"
    assert client_of(cast.ana).post(url(visit), data).status_code == 302
    return list(ReportedChange.objects.all())


def test_the_clinician_sees_the_check_in_and_reconciles_the_reports(cast: Cast, visit: str) -> None:
    cruz = client_of(cast.cruz)
    staff_url = f"/staff/appointments/{visit}/check-in/"
    assert "Check-in: not started" in cruz.get(staff_url).content.decode()
    phone, medicine = _reported(cast, visit)
    before = record_versions()
    html = cruz.get(staff_url).content.decode()
    assert "Check-in: done" in html
    assert "555-0199" in html and "I stopped" in html
    assert "Cigarettes a day" in html
    assert (
        cruz.post(f"/staff/check-in/changes/{phone.pk}/", {"decision": "accept"}).status_code == 302
    )
    assert (
        cruz.post(f"/staff/check-in/changes/{medicine.pk}/", {"decision": "dismiss"}).status_code
        == 302
    )
    # A second click changes nothing.
    cruz.post(f"/staff/check-in/changes/{phone.pk}/", {"decision": "dismiss"})
    phone.refresh_from_db()
    medicine.refresh_from_db()
    assert (phone.state, phone.decided_by) == ("accepted", cast.cruz)
    assert medicine.state == "dismissed"
    assert record_versions() == before


def _change_events(action: str) -> list[tuple[int | None, str, str]]:
    rows = AuditEvent.objects.filter(resource_type="ReportedChange", action=action)
    return sorted(rows.values_list("user_id", "patient_id", "resource_id"))


def test_the_reports_read_and_decided_are_in_ana_s_audit_log(cast: Cast, visit: str) -> None:
    phone, medicine = _reported(cast, visit)
    made = [(cast.ana.pk, "ana", str(c.pk)) for c in (phone, medicine)]
    assert _change_events(Action.CREATE) == sorted(made)
    cruz = client_of(cast.cruz)
    assert cruz.get(f"/staff/appointments/{visit}/check-in/").status_code == 200
    seen = [(cast.cruz.pk, "ana", str(c.pk)) for c in (phone, medicine)]
    assert _change_events(Action.READ) == sorted(seen)
    cruz.post(f"/staff/check-in/changes/{phone.pk}/", {"decision": "accept"})
    # A second click, and an outsider's try, decide nothing and log no change.
    cruz.post(f"/staff/check-in/changes/{phone.pk}/", {"decision": "dismiss"})
    client_of(cast.diaz).post(f"/staff/check-in/changes/{medicine.pk}/", {"decision": "accept"})
    assert _change_events(Action.UPDATE) == [(cast.cruz.pk, "ana", str(phone.pk))]


def test_only_the_patient_s_clinicians_see_and_decide(cast: Cast, visit: str) -> None:
    (phone, _medicine) = _reported(cast, visit)
    for person in (cast.diaz, cast.mallory, cast.ana, cast.fran, cast.priya, cast.ben):
        client = client_of(person)
        assert client.get(f"/staff/appointments/{visit}/check-in/").status_code == 404, person
        response = client.post(f"/staff/check-in/changes/{phone.pk}/", {"decision": "accept"})
        assert response.status_code == 404, person
    phone.refresh_from_db()
    assert phone.state == "pending"


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_check_in_page_costs_the_same_queries_whatever_the_record_holds(
    cast: Cast, visit: str
) -> None:
    ana = client_of(cast.ana)
    few = _queries(ana, url(visit))
    add_record("ana", medicines=8)
    for key in range(5):
        create(
            {
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": "Patient/ana"},
                "code": {"text": f"Allergy {key}"},
            }
        )
    assert _queries(ana, url(visit)) == few


def test_the_staff_page_costs_the_same_queries_whatever_was_reported(
    cast: Cast, visit: str
) -> None:
    _reported(cast, visit)
    cruz = client_of(cast.cruz)
    few = _queries(cruz, f"/staff/appointments/{visit}/check-in/")
    checkin = CheckIn.objects.get()
    ReportedChange.objects.bulk_create(
        ReportedChange(checkin=checkin, kind="medication", subject=f"M{i}", report="x")
        for i in range(20)
    )
    assert _queries(cruz, f"/staff/appointments/{visit}/check-in/") == few


def test_check_in_speaks_spanish_including_the_errors(cast: Cast, visit: str) -> None:
    cast.ana.language = "es"  # the language stored on her account (porch.i18n)
    cast.ana.save(update_fields=["language"])
    ana = client_of(cast.ana)
    page = ana.get(url(visit)).content.decode()
    assert "Registre su llegada a la visita" in page
    assert "1. Sus datos de contacto" in page
    assert "Lo sigo tomando" in page
    data = form_data(**{"qr-q_smoke": "true", "qr-q_smoke_amount": "mucho"})
    html = ana.post(url(visit), data).content.decode()
    assert "«Cigarettes a day»: escriba un número entero, por ejemplo 3." in html
    late = appointment("ana", timezone.now() - timedelta(minutes=1))
    assert "El registro de llegada se cerró" in ana.get(url(late)).content.decode()


def test_the_demo_questionnaire_is_stored_once_and_asked_for_its_visit_type(cast: Cast) -> None:
    from porch.checkin import demo

    first = demo.ensure_questionnaire("follow-up")
    assert demo.ensure_questionnaire("follow-up") == first
    visit = appointment("ana")
    html = client_of(cast.ana).get(url(visit)).content.decode()
    assert "How many cigarettes a day?" in html
    assert queries.statuses([visit]) == {}
    client_of(cast.ana).post(
        url(visit),
        {
            "insurance": "none",
            "qr-q_reason": "Check-up",
            "qr-q_smoke": "false",
            "qr-q_feeling": "Worse",
            "qr-q_worse_since": "2026-01-05",
        },
    )
    assert list(queries.statuses([visit, "other"])) == [visit]
