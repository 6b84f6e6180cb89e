"""The patient's record in the portal, and the clinicians' patient search and chart.
Thin: queries read (through the record repository, with the request's context), templates
render."""

from __future__ import annotations

from dataclasses import replace

import orjson
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from porch.access import actions
from porch.access.context import AccessContext
from porch.access.rules import access_state, request_context
from porch.accounts.decorators import sensitive
from porch.chart import documents, downloads, patients, pdf, queries
from porch.chart.forms import DownloadForm, PatientSearchForm
from porch.record import repository
from porch.record.errors import FhirError
from porch.results import queries as results_queries


def _record(request: HttpRequest) -> AccessContext:
    return queries.open_record(request_context(request))


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    ctx = _record(request)
    return render(request, "chart/summary.html", {"summary": queries.summary(ctx)})


@login_required
@require_GET
def immunizations_print(request: HttpRequest) -> HttpResponse:
    ctx = _record(request)
    rows = queries.immunizations(ctx)
    return render(request, "chart/immunizations_print.html", {"immunizations": rows})


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    ctx = _record(request)
    offset = int(request.GET.get("offset", "0")) if request.GET.get("offset", "0").isdigit() else 0
    rows, more = queries.visits(ctx, offset)
    context = {"visits": rows, "next_offset": offset + queries.VISITS_PAGE if more else None}
    return render(request, "chart/visits.html", context)


@login_required
@require_GET
def visit(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx = _record(request)
    return render(request, "chart/visit.html", {"visit": queries.visit(ctx, fhir_id)})


@login_required
@require_GET
def note_attachment(request: HttpRequest, fhir_id: str) -> HttpResponse:
    """Attachment number `?part=` (from 0) of a note, as a download (PDFs and other types)."""
    ctx = _record(request)
    part = request.GET.get("part", "0")
    index = int(part) if part.isdigit() else -1
    try:
        content = repository.read(ctx, "DocumentReference", fhir_id).content or {}
    except FhirError as error:
        raise Http404() from error
    found = documents.attachments(content)
    data = documents.decoded(found[index]) if 0 <= index < len(found) else None
    # No such attachment, or none held inline: not found.
    if data is None:
        raise Http404()
    pdf = documents.kind_of(found[index]) == documents.PDF
    response = HttpResponse(
        data, content_type="application/pdf" if pdf else "application/octet-stream"
    )
    extension = "pdf" if pdf else "bin"
    response["Content-Disposition"] = f'attachment; filename="note-{index + 1}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@sensitive
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    ctx = _record(request)
    can_pdf = pdf.available()
    form = DownloadForm(request.GET if "format" in request.GET else None, pdf=can_pdf)
    if not form.is_valid():
        return render(request, "chart/download.html", {"form": form, "pdf_available": can_pdf})
    period, kind = form.period(), form.cleaned_data["format"]
    today = timezone.localdate().isoformat()
    if kind == "json":
        body = orjson.dumps(downloads.bundle(ctx, period))
        response = _attachment(body, "application/fhir+json", f"record-{today}.json")
    else:
        # The printable page and the PDF: the same summary, drawn by the same templates.
        context = {"summary": queries.summary(ctx, period), "period": period, "today": today}
        if kind == "html":
            response = render(request, "chart/record_print.html", context)
        else:
            html = render_to_string("chart/record_pdf.html", context, request)
            response = _attachment(pdf.render(html), "application/pdf", f"record-{today}.pdf")
    downloads.record_download(ctx, request.path)
    return response


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- clinicians -----------------------------------------------------------------------


def _clinician(request: HttpRequest) -> AccessContext:
    state = access_state(request)
    # Only a clinician linked to a Practitioner: others find no such page.
    if state is None or not state.is_clinician:
        raise Http404()
    return request_context(request)


@login_required
@require_GET
def patient_search(request: HttpRequest) -> HttpResponse:
    ctx = _clinician(request)
    form = PatientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = patients.search_patients(ctx, query) if query else None
    return render(request, "chart/patient_search.html", {"form": form, "found": found})


@login_required
@require_GET
def patient_chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Opens the patient's chart for the session (as the record switcher does) and shows
    the summary and the latest visits."""
    _clinician(request)
    actions.check_switch_record(request, patient_id)  # Http404 for a patient not theirs
    state = access_state(request)
    assert state is not None
    base = request_context(request)
    ctx = replace(
        base,
        acting_for=patient_id,
        purpose="break-the-glass" if patient_id in state.break_glass else "treatment",
    )
    ctx = queries.open_record(ctx)
    facts = state.directory.get(patient_id)
    rows, _more = queries.visits(ctx)
    context = {
        "patient_id": patient_id,
        "patient_name": facts.name if facts else patient_id,
        "summary": queries.summary(ctx),
        "visits": rows,
        "results": results_queries.list_reports(
            ctx, patient_id, state.user.pk, limit=results_queries.CHART_LIMIT
        ),
    }
    return render(request, "chart/patient_chart.html", context)
