"""Refill pages: the patient's (and proxy's) request form and list of requests; the care
team's queue and answer page. Thin: forms parse, queries read and authorize, actions
write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from porch.access.rules import request_context
from porch.medications import actions, queries
from porch.medications.forms import AnswerForm, QueueFilterForm, RefillForm
from porch.medications.models import RefillStatus
from porch.messaging.queries import patient_record, staff_member

# --- patients and proxies -------------------------------------------------------------


@login_required
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = patient_record(request_context(request))
    lines = queries.patient_requests(ctx, patient_id)
    return render(request, "medications/requests.html", {"lines": lines})


@login_required
@require_http_methods(["GET", "POST"])
def request_refill(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = patient_record(request_context(request))
    medication = queries.access_medication(ctx, patient_id, fhir_id)
    form = RefillForm(
        request.POST if request.method == "POST" else None,
        pharmacies=queries.pharmacies(ctx, patient_id),
    )
    status = 400 if request.method == "POST" else 200
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_request_refill(
                ctx,
                request.user,  # type: ignore[arg-type]
                medication,
                form.chosen_pharmacy(),
                form.cleaned_data["note"],
                str(form.cleaned_data["form_key"]),
            )
        except actions.RefillRefused as error:
            refusal, status = error.reason, error.status
        else:
            messages.success(request, _("Your refill request was sent."))
            return redirect("medications:requests")
    context = {
        "medication": medication,
        "form": form,
        "refusal": refusal,
        "may_write": ctx.may_write,
        "open_request": queries.open_request(ctx, patient_id, fhir_id),
    }
    return render(request, "medications/request.html", context, status=status)


# --- the care team --------------------------------------------------------------------


@login_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponse:
    member = staff_member(request)
    chosen = request.GET if "status" in request.GET else {"status": RefillStatus.REQUESTED}
    form = QueueFilterForm(chosen)
    status = form.cleaned_data["status"] if form.is_valid() else RefillStatus.REQUESTED
    lines = queries.staff_queue(request, member, status)
    return render(request, "medications/staff_queue.html", {"lines": lines, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_request(request: HttpRequest, fhir_id: str) -> HttpResponse:
    member = staff_member(request)
    row, ctx = queries.access_staff_request(request, member, fhir_id)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_answer(ctx, member, row, form.answer())
        except actions.RefillRefused as error:
            refusal, status = error.reason, error.status
        else:
            messages.success(request, _("Your answer was recorded; the patient is notified."))
            return redirect("medications:staff_queue")
    detail = queries.staff_detail(ctx, row)
    context = {
        "detail": detail,
        "form": form,
        "refusal": refusal,
        "may_answer": row.status == RefillStatus.REQUESTED,
    }
    return render(request, "medications/staff_request.html", context, status=status)
