"""Download my record: a FHIR Bundle, a printable summary and a PDF, recorded in the audit
log."""

from __future__ import annotations

import http.client
import http.server
import io
import re
import sys
import threading

import orjson
import pytest
from django.test import Client
from pypdf import PdfReader

from porch.access.tests.helpers import client_of
from porch.access.tests.records import MENTAL_HEALTH_CODE, PLAIN_CODE, TEO, Cast
from porch.accounts.tests.cast import PASSWORD, sign_in
from porch.audit.models import Action, AuditEvent
from porch.chart import pdf
from porch.chart.tests.records import encounter, summary_entries
from porch.record.validation import validate_resource

pytestmark = pytest.mark.django_db


def _signed_in(email: str) -> Client:
    """Signed in with the password entered just now, as downloads ask."""
    client = Client()
    sign_in(client, email)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _bundle(client: Client, query: str = "range=all&format=json") -> dict:  # type: ignore[type-arg]
    response = client.get(f"/record/download/?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith('attachment; filename="record-')
    return orjson.loads(response.content)  # type: ignore[no-any-return]


def _ids(bundle: dict) -> set[str]:  # type: ignore[type-arg]
    return {e["resource"]["id"] for e in bundle["entry"]}


def test_the_download_asks_for_recent_sign_in(cast: Cast) -> None:
    response = client_of(cast.ana).get("/record/download/?range=all&format=json")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_ana_downloads_her_record_as_a_valid_fhir_bundle(cast: Cast) -> None:
    summary_entries("ana")
    ana = _signed_in("ana@example.org")
    assert ana.get("/record/download/").status_code == 200  # the form
    bundle = _bundle(ana)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert validate_resource(bundle) == []
    for entry in bundle["entry"]:
        assert validate_resource(entry["resource"]) == [], entry["resource"]["resourceType"]
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Condition", "MedicationRequest", "Immunization", "CareTeam"} <= types
    assert cast.plain["ana"] in _ids(bundle)
    assert not {cast.plain["mallory"], "mallory", "teo"} & _ids(bundle)
    event = AuditEvent.objects.filter(action=Action.DOWNLOAD).get()
    assert (event.patient_id, event.user_id) == ("ana", cast.ana.pk)
    activity = ana.get("/record/activity/").content.decode()
    assert "downloaded" in activity


def test_a_date_range_keeps_the_entries_in_it(cast: Cast) -> None:
    early = encounter("ana", "2020-02-01T09:00:00Z")
    late = encounter("ana", "2024-02-01T09:00:00Z")
    ana = _signed_in("ana@example.org")
    bundle = _bundle(ana, "range=dates&start=2023-01-01&end=2024-12-31&format=json")
    assert late in _ids(bundle)
    assert early not in _ids(bundle)
    assert "ana" in _ids(bundle)  # the Patient has no date to filter by


def test_a_bad_date_range_is_refused_with_the_form(cast: Cast) -> None:
    ana = _signed_in("ana@example.org")
    response = ana.get("/record/download/?range=dates&start=2024-01-01&end=2023-01-01&format=json")
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD).exists()


def test_the_printable_summary(cast: Cast) -> None:
    summary_entries("ana")
    ana = _signed_in("ana@example.org")
    response = ana.get("/record/download/?range=all&format=html")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Asthma 0" in page and "Influenza 0" in page
    assert "chart/print.css" in page
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="ana").count() == 1


def test_a_parent_downloads_a_teens_record_without_confidential_items(cast: Cast) -> None:
    ben = _signed_in("ben@example.org")
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    ids = _ids(_bundle(ben))
    assert cast.plain["teo"] in ids
    assert cast.confidential["teo"] not in ids
    assert cast.labelled["teo"] not in ids
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="teo").count() == 1


def test_mallory_cannot_download_anas_record(cast: Cast) -> None:
    mallory = _signed_in("mallory@example.org")
    assert mallory.post("/records/open/", {"patient": "ana"}).status_code == 404
    ids = _ids(_bundle(mallory))
    assert "mallory" in ids
    assert "ana" not in ids and cast.plain["ana"] not in ids
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="ana").exists()


# --- the PDF ----------------------------------------------------------------------------


def _pdf_text(client: Client, query: str = "range=all&format=pdf") -> str:
    response = client.get(f"/record/download/?{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="record-\d{4}-\d{2}-\d{2}\.pdf"', response["Content-Disposition"]
    )
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_ana_downloads_her_summary_as_a_pdf(cast: Cast) -> None:
    summary_entries("ana", n=2)
    ana = _signed_in("ana@example.org")
    text = _pdf_text(ana)
    assert "My health record" in text
    assert "Patient: Ana Alvarez" in text
    for entry in ("Asthma 1", "Albuterol 0", "Peanuts 0", "Influenza 1", "Appendectomy 0"):
        assert entry in text, entry
    assert "Weight over time" in text  # the vitals' trend, with its table
    assert "Mallory" not in text


def test_the_pdf_is_audited_as_the_printable_summary_is(cast: Cast) -> None:
    ana = _signed_in("ana@example.org")
    assert ana.get("/record/download/?range=all&format=html").status_code == 200
    _pdf_text(ana)
    html, pdf = AuditEvent.objects.filter(action=Action.DOWNLOAD).order_by("pk")
    fields = ("action", "patient_id", "user_id", "page")
    assert [getattr(pdf, f) for f in fields] == [getattr(html, f) for f in fields]
    assert pdf.patient_id == "ana" and pdf.user_id == cast.ana.pk
    assert ana.get("/record/activity/").content.decode().count("downloaded") == 2


def test_the_pdf_keeps_to_the_date_range(cast: Cast) -> None:
    summary_entries("ana", n=3)  # 2020, 2021, 2022
    ana = _signed_in("ana@example.org")
    text = _pdf_text(ana, "range=dates&start=2022-01-01&end=2022-12-31&format=pdf")
    assert "Asthma 2" in text and "Influenza 2" in text
    assert "Asthma 0" not in text and "Influenza 1" not in text
    assert "Entries from Jan. 1, 2022 to Dec. 31, 2022." in text


def test_a_parents_pdf_of_a_teen_lacks_the_confidential_items(cast: Cast) -> None:
    ben = _signed_in("ben@example.org")
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    text = _pdf_text(ben)
    assert "Patient: Teo Alvarez" in text
    assert PLAIN_CODE in text  # the plain condition, shown by its code
    assert MENTAL_HEALTH_CODE not in text
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="teo").count() == 1
    # The same printable summary as a page leaves it out too; Teo's own PDF has it.
    page = ben.get("/record/download/?range=all&format=html").content.decode()
    assert PLAIN_CODE in page and MENTAL_HEALTH_CODE not in page
    assert MENTAL_HEALTH_CODE in _pdf_text(_signed_in(TEO))


def test_mallorys_pdf_is_her_own_record(cast: Cast) -> None:
    summary_entries("ana")
    mallory = _signed_in("mallory@example.org")
    assert mallory.post("/records/open/", {"patient": "ana"}).status_code == 404
    text = _pdf_text(mallory)
    assert "Patient: Mallory Moss" in text
    assert "Ana Alvarez" not in text and "Asthma 0" not in text
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD, patient_id="ana").exists()


def test_the_download_page_offers_a_pdf_when_the_server_can_make_one(cast: Cast) -> None:
    page = _signed_in("ana@example.org").get("/record/download/").content.decode()
    assert 'value="pdf"' in page
    assert 'data-testid="no-pdf"' not in page


def test_without_weasyprint_the_page_says_pdf_is_unavailable(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a server where WeasyPrint or its system libraries cannot be loaded.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    ana = _signed_in("ana@example.org")
    page = ana.get("/record/download/").content.decode()
    assert "PDF files cannot be made on this server" in page
    assert "Save as PDF" in page
    assert 'value="pdf"' not in page and 'value="html"' in page
    # Asked for anyway (an old bookmark): the form again, not an error, and no download.
    response = ana.get("/record/download/?range=all&format=pdf")
    assert response.status_code == 200
    assert "PDF files cannot be made on this server" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD).exists()
    assert ana.get("/record/download/?range=all&format=html").status_code == 200


def test_the_pdf_renderer_serves_porchs_static_files_and_nothing_else() -> None:
    found = pdf.static_file(pdf.BASE_URL + "static/chart/print.css")
    assert found is not None and b"border-collapse" in found.read_bytes()
    for url in (
        "https://example.org/static/chart/print.css",
        "http://porch.invalid/static/chart/print.css",
        pdf.BASE_URL + "static/../porch/settings.py",
        pdf.BASE_URL + "static/%2e%2e/%2e%2e/settings.py",
        pdf.BASE_URL + "static/nothing-here.css",
        pdf.BASE_URL + "media/x.css",
        "file:///etc/passwd",
    ):
        assert pdf.static_file(url) is None, url


def test_the_pdf_renderer_makes_no_network_request() -> None:
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"h1 { color: red; }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    there = f"http://127.0.0.1:{server.server_port}"
    try:
        html = (
            f'<link rel="stylesheet" href="{there}/style.css">'
            '<link rel="stylesheet" href="/static/chart/print.css">'
            f'<img src="{there}/logo.png" alt=""><img src="file:///etc/hostname" alt="">'
            "<h1>Ana Alvarez</h1>"
        )
        document = pdf.render(html)
        # The server answers whoever asks: only this request of the test's own reached it.
        probe = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        probe.request("GET", "/probe")
        assert probe.getresponse().status == 200
        probe.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    assert document.startswith(b"%PDF-")
    assert "Ana Alvarez" in PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert asked == ["/probe"]


def test_the_pdf_is_in_the_patients_language(cast: Cast) -> None:
    summary_entries("ana")
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    text = _pdf_text(_signed_in("ana@example.org"))
    assert "Paciente: Ana Alvarez" in text
    assert "Signos vitales" in text and "Tomar 2 puffs, 4" in text
    assert "1 de octubre de 2020" in text
