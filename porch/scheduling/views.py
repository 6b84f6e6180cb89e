"""Appointment pages of patients and proxies: visits, finding a time, booking in two
steps (choose, then confirm), rescheduling and cancelling, and asking for a visit type the
clinic books (a request); the staff's queue of those requests. Thin: forms parse, queries
read and authorize, actions write."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access.context import AccessContext
from porch.access.rules import request_context
from porch.messaging.queries import patient_record, staff_member
from porch.scheduling import actions, queries, request_actions, request_queries
from porch.scheduling.forms import (
    CancelForm,
    ConfirmForm,
    DeclineForm,
    FindForm,
    RequestForm,
    StaffBookForm,
    attempt,
)
from porch.scheduling.models import AppointmentRequest, Slot, VisitType


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
        rows = queries.open_slots(**filters)
        # "Any" visit type lists only times patients book themselves (others are asked for).
        if filters["visit_type"] is None:
            rows = rows.filter(visit_type__policy=VisitType.Policy.BOOK)
        slots = list(rows[: queries.SLOT_PAGE])
    (named,) = queries.with_clinician_names(slots)
    context = {**base, "form": form, "slots": named}
    return render(request, template, context, status=status)


def _open(request: HttpRequest) -> tuple[AccessContext, str]:
    return patient_record(request_context(request))


@login_required
@require_GET
def appointments(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = _open(request)
    return _appointments_page(request, ctx, patient_id)


def _appointments_page(
    request: HttpRequest, ctx: AccessContext, patient_id: str, *, status: int = 200
) -> HttpResponse:
    found = queries.appointments(ctx, patient_id)
    named_upcoming, named_past = queries.with_clinician_names(found.upcoming, found.past)
    context = {
        "upcoming": named_upcoming,
        "past": named_past,
        "requests": found.requests,
        "may_write": ctx.may_write,
    }
    return render(request, "scheduling/appointments.html", context, status=status)


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    ctx, _patient_id = _open(request)
    # A visit type staff book: the page offers a request instead of times.
    asked = VisitType.objects.filter(
        slug=request.GET.get("visit_type") or "", policy=VisitType.Policy.REQUEST
    ).first()
    base = {"may_write": ctx.may_write, "request_type": asked}
    return _find(request, base, "scheduling/find.html")


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slot: int) -> HttpResponse:
    ctx, patient_id = _open(request)
    chosen = queries.slot_or_404(slot)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"key": secrets.token_urlsafe(24)},
    )
    status, openings = 200, list[Slot]()
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        booking, status, openings = attempt(
            form, lambda: actions.check_book(ctx, request.user, patient_id, chosen, key=key)
        )
        if booking is not None:
            messages.success(request, _("Your appointment is booked."))
            return redirect("scheduling:detail", fhir_id=booking.appointment_id)
    (named_slot,), named_openings = queries.with_clinician_names([chosen], openings)
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
    ((named,),) = queries.with_clinician_names([visit])
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
    ((named,),) = queries.with_clinician_names([visit])
    base = {"visit": named, "may_write": ctx.may_write}
    return _find(request, base, "scheduling/reschedule.html", visit_type=booking.slot.visit_type)


@login_required
@require_http_methods(["GET", "POST"])
def reschedule_confirm(request: HttpRequest, fhir_id: str, slot: int) -> HttpResponse:
    ctx, patient_id = _open(request)
    visit = queries.access_appointment(ctx, patient_id, fhir_id)
    chosen = queries.slot_or_404(slot)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status, openings = 200, list[Slot]()
    if request.method == "POST" and form.is_valid():
        moved, status, openings = attempt(
            form, lambda: actions.check_reschedule(ctx, request.user, patient_id, visit, chosen)
        )
        if moved is not None:
            messages.success(request, _("Your appointment was moved."))
            return redirect("scheduling:detail", fhir_id=fhir_id)
    (named_slot, named_visit), named_openings = queries.with_clinician_names(
        [chosen, visit], openings
    )
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
    ((named,),) = queries.with_clinician_names([visit])
    context = {"visit": named, "form": form, "may_write": ctx.may_write}
    return render(request, "scheduling/cancel.html", context, status=status)


# --- appointment requests: patients and proxies ---------------------------------------------


def _request_refusal(ctx: AccessContext, patient_id: str, visit_type: VisitType) -> str | None:
    """Why this record may not ask for this visit type, said before the form is filled."""
    try:
        request_actions.check_may_request(ctx, patient_id, visit_type)
    except actions.BookingRefused as refusal:
        return refusal.reason
    return None


@login_required
@require_http_methods(["GET", "POST"])
def request_appointment(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = _open(request)
    data = request.POST if request.method == "POST" else None
    slug = str((data or request.GET).get("visit_type") or "")
    visit_type = VisitType.objects.filter(slug=slug).first()
    if visit_type is None and data is None:
        # No visit type chosen: the ones the clinic books on request.
        context = {"choosing": True, "choices": request_queries.request_types()}
        return render(request, "scheduling/request.html", context)
    form = RequestForm(
        data,
        clinicians=request_queries.clinicians_for(visit_type) if visit_type else [],
        initial={"visit_type": slug, "key": secrets.token_urlsafe(24)},
    )
    status, refusal = (200, None) if data is None else (400, None)
    if data is not None and form.is_valid():
        try:
            request_actions.check_request_appointment(
                ctx,
                request.user,
                patient_id,
                form.cleaned_data["visit_type"],
                form.words(),
                key=form.cleaned_data["key"],
            )
        except actions.BookingRefused as error:
            status, refusal = error.status, error.reason
        else:
            messages.success(request, _("Your request was sent. The clinic will let you know."))
            return redirect("scheduling:appointments")
    elif visit_type is not None:
        refusal = _request_refusal(ctx, patient_id, visit_type)
    context = {"visit_type": visit_type, "form": form, "refusal": refusal}
    return render(request, "scheduling/request.html", context, status=status)


@login_required
@require_POST
def withdraw_request(request: HttpRequest, pk: int) -> HttpResponse:
    ctx, patient_id = _open(request)
    asked = request_queries.access_request(ctx, patient_id, pk)
    try:
        request_actions.check_withdraw(ctx, request.user, asked.row)
    except request_actions.RequestDecided as decided:
        messages.info(request, decided.reason)
    except actions.BookingRefused as refusal:
        messages.error(request, refusal.reason)
        return _appointments_page(request, ctx, patient_id, status=refusal.status)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("scheduling:appointments")


# --- appointment requests: the clinic ---------------------------------------------------------


@login_required
@require_GET
def staff_requests(request: HttpRequest) -> HttpResponse:
    lines = request_queries.staff_queue(request, staff_member(request))
    return render(request, "scheduling/staff_requests.html", {"lines": lines})


@login_required
@require_http_methods(["GET", "POST"])
def staff_request(request: HttpRequest, pk: int) -> HttpResponse:
    row, ctx = request_queries.access_staff_request(request, staff_member(request), pk)
    decline = DeclineForm(request.POST if "reason" in request.POST else None)
    status, refusal, openings = 200, None, []
    if request.method == "POST":
        try:
            done = _answer(request, ctx, row, decline)
        except request_actions.RequestDecided as decided:
            messages.info(request, decided.reason)
            return redirect("scheduling:staff_request", pk=row.pk)
        except actions.SlotTaken as taken:
            status, refusal, openings = taken.status, taken.reason, taken.openings
        except actions.BookingRefused as error:
            status, refusal = error.status, error.reason
        else:
            if done:
                messages.success(request, done)
                return redirect("scheduling:staff_requests")
            status = 400
    detail = request_queries.staff_detail(ctx, row)
    (named_openings,) = queries.with_clinician_names(openings)
    base = {"detail": detail, "decline": decline, "refusal": refusal, "openings": named_openings}
    response = _find(request, base, "scheduling/staff_request.html", visit_type=row.visit_type)
    response.status_code = max(response.status_code, status)
    return response


def _answer(
    request: HttpRequest, ctx: AccessContext, row: AppointmentRequest, decline: DeclineForm
) -> str:
    """Book or decline from the POST; what to tell staff, or "" when the form was wrong."""
    if decline.is_bound:
        if not decline.is_valid():
            return ""
        request_actions.check_decline(ctx, request.user, row, decline.cleaned_data["reason"])
        return _("The request was declined. The patient is notified.")
    book = StaffBookForm(request.POST)
    if not book.is_valid():
        raise actions.BookingRefused(_("Choose one of the open times to book."))
    request_actions.check_book_request(
        ctx, request.user, row, queries.slot_or_404(book.cleaned_data["slot"])
    )
    return _("The appointment is booked. The patient is notified.")
