"""Staff scheduling pages: a clinician's day, and a patient's appointments booked, moved
and cancelled on their behalf. Thin: forms parse, porch.frontdesk.queries reads and
authorizes, porch.scheduling.actions writes (staff=True: any visit type's policy, no
cutoff) and notifies the patient as for their own changes."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from porch.frontdesk import queries
from porch.frontdesk.forms import DayForm, StaffCancelForm, StaffFindForm
from porch.scheduling import actions
from porch.scheduling import queries as scheduling
from porch.scheduling.forms import ConfirmForm, attempt
from porch.scheduling.models import Slot


@login_required
@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    """A clinician's day (?clinician=&date=; today and the first clinician by default)."""
    desk = queries.desk_of(request)
    choices = queries.clinicians()
    first = choices[0][0] if choices else ""
    initial = {"clinician": first, "date": queries.today()}
    form = DayForm(request.GET or None, clinicians=choices, initial=initial)
    if form.is_bound and not form.is_valid():
        return render(request, "frontdesk/schedule.html", {"form": form}, status=400)
    given = form.cleaned_data if form.is_bound else {}
    chosen = {**initial, **{k: v for k, v in given.items() if v}}
    clinician, on = chosen["clinician"], chosen["date"]
    context: dict[str, Any] = {
        "form": form,
        "clinician_name": dict(choices).get(clinician, ""),
        "on": on,
        "day": queries.day(request, desk, clinician, on) if clinician else None,
        "previous": "?" + urlencode({"clinician": clinician, "date": on - timedelta(days=1)}),
        "next": "?" + urlencode({"clinician": clinician, "date": on + timedelta(days=1)}),
    }
    return render(request, "frontdesk/schedule.html", context)


@login_required
@require_GET
def appointments(request: HttpRequest, patient_id: str) -> HttpResponse:
    desk = queries.desk_of(request)
    ctx, patient = queries.access_patient(request, desk, patient_id)
    upcoming, past = scheduling.visits(ctx, patient.id)
    named_upcoming, named_past = scheduling.with_clinician_names(upcoming, past)
    context = {
        "patient": patient,
        "upcoming": named_upcoming,
        "past": named_past,
        "held": queries.held([v.id for v in upcoming]),
    }
    return render(request, "frontdesk/appointments.html", context)


@login_required
@require_GET
def find(request: HttpRequest, patient_id: str) -> HttpResponse:
    desk = queries.desk_of(request)
    _ctx, patient = queries.access_patient(request, desk, patient_id)
    return _find(request, {"patient": patient}, "frontdesk/find.html")


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, patient_id: str, slot: int) -> HttpResponse:
    desk = queries.desk_of(request)
    ctx, patient = queries.access_patient(request, desk, patient_id)
    chosen = scheduling.slot_or_404(slot)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"key": secrets.token_urlsafe(24)},
    )
    status, openings = 200, list[Slot]()
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        booking, status, openings = attempt(
            form,
            lambda: actions.check_book(ctx, request.user, patient.id, chosen, key=key, staff=True),
        )
        if booking is not None:
            messages.success(request, _("The appointment is booked. The patient is notified."))
            return redirect("frontdesk:appointments", patient_id=patient.id)
    (named_slot,), named_openings = scheduling.with_clinician_names([chosen], openings)
    context = {"patient": patient, "slot": named_slot, "form": form, "openings": named_openings}
    return render(request, "frontdesk/confirm.html", context, status=status)


@login_required
@require_GET
def move(request: HttpRequest, fhir_id: str) -> HttpResponse:
    desk = queries.desk_of(request)
    _ctx, patient, visit = queries.access_booked_visit(request, desk, fhir_id)
    booking = scheduling.booking_of(visit)
    assert booking is not None  # access_booked_visit found it held
    ((named,),) = scheduling.with_clinician_names([visit])
    base = {"patient": patient, "visit": named}
    return _find(request, base, "frontdesk/move.html", visit_type=booking.slot.visit_type)


@login_required
@require_http_methods(["GET", "POST"])
def move_confirm(request: HttpRequest, fhir_id: str, slot: int) -> HttpResponse:
    desk = queries.desk_of(request)
    ctx, patient, visit = queries.access_booked_visit(request, desk, fhir_id)
    chosen = scheduling.slot_or_404(slot)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status, openings = 200, list[Slot]()
    if request.method == "POST" and form.is_valid():
        moved, status, openings = attempt(
            form,
            lambda: actions.check_reschedule(
                ctx, request.user, patient.id, visit, chosen, staff=True
            ),
        )
        if moved is not None:
            messages.success(request, _("The appointment was moved. The patient is notified."))
            return redirect("frontdesk:appointments", patient_id=patient.id)
    (named_slot, named_visit), named_openings = scheduling.with_clinician_names(
        [chosen, visit], openings
    )
    context = {
        "patient": patient,
        "visit": named_visit,
        "slot": named_slot,
        "form": form,
        "openings": named_openings,
    }
    return render(request, "frontdesk/move_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, fhir_id: str) -> HttpResponse:
    desk = queries.desk_of(request)
    ctx, patient, visit = queries.access_booked_visit(request, desk, fhir_id)
    form = StaffCancelForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_cancel(ctx, patient.id, visit, form.cleaned_data["reason"], staff=True)
        except actions.BookingRefused as refusal:
            form.add_error(None, refusal.reason)
            status = refusal.status
        else:
            messages.success(request, _("The appointment was cancelled. The patient is notified."))
            return redirect("frontdesk:appointments", patient_id=patient.id)
    ((named,),) = scheduling.with_clinician_names([visit])
    context = {"patient": patient, "visit": named, "form": form}
    return render(request, "frontdesk/cancel.html", context, status=status)


# --- helpers ----------------------------------------------------------------------------


def _find(request: HttpRequest, base: dict[str, Any], template: str, **fixed: Any) -> HttpResponse:
    """Open slots of every visit type matching the GET filters (and `fixed` ones)."""
    clinicians, locations = scheduling.choices()
    form = StaffFindForm(request.GET or None, clinicians=clinicians, locations=locations)
    if form.is_bound and not form.is_valid():
        return render(request, template, {**base, "form": form, "slots": []}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = {
        "visit_type": data.get("visit_type"),
        "practitioner_id": data.get("clinician") or "",
        "location": data.get("location") or "",
        "day": data.get("date"),
        **fixed,
    }
    (named,) = scheduling.with_clinician_names(
        list(scheduling.open_slots(**filters)[: scheduling.SLOT_PAGE])
    )
    return render(request, template, {**base, "form": form, "slots": named})
