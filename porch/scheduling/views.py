"""Appointment pages of patients and proxies: visits, finding a time, booking in two
steps (choose, then confirm), rescheduling and cancelling. Thin: forms parse, queries
read and authorize, actions write."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from porch.access.context import AccessContext
from porch.access.rules import request_context
from porch.messaging.queries import patient_record
from porch.scheduling import actions, queries
from porch.scheduling.forms import CancelForm, ConfirmForm, FindForm
from porch.scheduling.models import Slot


def _slot(pk: int) -> Slot:
    slot = Slot.objects.select_related("visit_type", "schedule").filter(pk=pk).first()
    if slot is None:
        raise Http404("No such time")
    return slot


def _clinician(item: Any) -> str:
    return str(getattr(item, "practitioner_id", "") or getattr(item, "clinician_id", ""))


def _named(*groups: list[Any]) -> list[list[tuple[Any, str]]]:
    """Each group's items paired with their clinician's name (one lookup for all)."""
    names = queries.clinician_names({_clinician(i) for g in groups for i in g} - {""})
    return [[(item, names.get(_clinician(item), "")) for item in group] for group in groups]


def _find(request: HttpRequest, base: dict[str, Any], template: str, **fixed: Any) -> HttpResponse:
    clinicians, locations = queries.choices()
    form = FindForm(request.GET or None, clinicians=clinicians, locations=locations)
    status, slots = 200, []
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = {
            "visit_type": data.get("visit_type"),
            "practitioner_id": data.get("clinician") or "",
            "location": data.get("location") or "",
            "day": data.get("date"),
            **fixed,
        }
        slots = list(queries.open_slots(**filters)[: queries.SLOT_PAGE])
    (named,) = _named(slots)
    context = {**base, "form": form, "slots": named}
    return render(request, template, context, status=status)


def _open(request: HttpRequest) -> tuple[AccessContext, str]:
    return patient_record(request_context(request))


@login_required
@require_GET
def appointments(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = _open(request)
    upcoming, past = queries.visits(ctx, patient_id)
    named_upcoming, named_past = _named(upcoming, past)
    context = {"upcoming": named_upcoming, "past": named_past, "may_write": ctx.may_write}
    return render(request, "scheduling/appointments.html", context)


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    ctx, _patient_id = _open(request)
    return _find(request, {"may_write": ctx.may_write}, "scheduling/find.html")


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slot: int) -> HttpResponse:
    ctx, patient_id = _open(request)
    chosen = _slot(slot)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"key": secrets.token_urlsafe(24)},
    )
    status, openings = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            booking = actions.check_book(
                ctx, request.user, patient_id, chosen, key=form.cleaned_data["key"]
            )
        except actions.SlotTaken as taken:
            form.add_error(None, taken.reason)
            status, openings = taken.status, taken.openings
        except actions.BookingRefused as refusal:
            form.add_error(None, refusal.reason)
            status = refusal.status
        else:
            messages.success(request, _("Your appointment is booked."))
            return redirect("scheduling:detail", fhir_id=booking.appointment_id)
    (named_slot,), named_openings = _named([chosen], openings)
    context = {
        "slot": named_slot,
        "form": form,
        "openings": named_openings,
        "may_write": ctx.may_write,
    }
    return render(request, "scheduling/confirm.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = _open(request)
    visit = queries.access_appointment(ctx, patient_id, fhir_id)
    booking = queries.booking_of(visit)
    ((named,),) = _named([visit])
    context = {
        "visit": named,
        "changeable": booking is not None and visit.booked and ctx.may_write,
    }
    return render(request, "scheduling/detail.html", context)


@login_required
@require_GET
def reschedule(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = _open(request)
    visit = queries.access_appointment(ctx, patient_id, fhir_id)
    booking = queries.booking_of(visit)
    if booking is None:
        raise Http404("No such appointment")
    ((named,),) = _named([visit])
    base = {"visit": named, "may_write": ctx.may_write}
    return _find(request, base, "scheduling/reschedule.html", visit_type=booking.slot.visit_type)


@login_required
@require_http_methods(["GET", "POST"])
def reschedule_confirm(request: HttpRequest, fhir_id: str, slot: int) -> HttpResponse:
    ctx, patient_id = _open(request)
    visit = queries.access_appointment(ctx, patient_id, fhir_id)
    chosen = _slot(slot)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status, openings = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_reschedule(ctx, request.user, patient_id, visit, chosen)
        except actions.SlotTaken as taken:
            form.add_error(None, taken.reason)
            status, openings = taken.status, taken.openings
        except actions.BookingRefused as refusal:
            form.add_error(None, refusal.reason)
            status = refusal.status
        else:
            messages.success(request, _("Your appointment was moved."))
            return redirect("scheduling:detail", fhir_id=fhir_id)
    (named_slot, named_visit), named_openings = _named([chosen, visit], openings)
    context = {
        "visit": named_visit,
        "slot": named_slot,
        "form": form,
        "openings": named_openings,
        "may_write": ctx.may_write,
    }
    return render(request, "scheduling/reschedule_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = _open(request)
    visit = queries.access_appointment(ctx, patient_id, fhir_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_cancel(ctx, patient_id, visit, form.cleaned_data["reason"])
        except actions.BookingRefused as refusal:
            form.add_error(None, refusal.reason)
            status = refusal.status
        else:
            messages.success(request, _("Your appointment was cancelled."))
            return redirect("scheduling:appointments")
    ((named,),) = _named([visit])
    context = {"visit": named, "form": form, "may_write": ctx.may_write}
    return render(request, "scheduling/cancel.html", context, status=status)
