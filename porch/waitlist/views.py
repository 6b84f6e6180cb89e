"""Waitlist pages: joining and leaving from the appointment page, and the offer page
where the patient (or a proxy who may act) accepts or declines an earlier time. Thin:
forms parse, queries read and authorize, actions write."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from porch.access.rules import request_context
from porch.messaging.queries import patient_record
from porch.scheduling.actions import BookingRefused
from porch.scheduling.queries import Visit, access_appointment, clinician_names
from porch.waitlist import actions, queries
from porch.waitlist.forms import AnswerForm, JoinForm


def _refused(request: HttpRequest, visit: Visit, refusal: BookingRefused) -> HttpResponse:
    context = {"visit": visit, "reason": refusal.reason}
    return render(request, "waitlist/refused.html", context, status=refusal.status)


@login_required
@require_POST
def join(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = patient_record(request_context(request))
    visit = access_appointment(ctx, patient_id, fhir_id)
    form = JoinForm(request.POST)
    same_clinician = form.is_valid() and bool(form.cleaned_data["same_clinician"])
    try:
        actions.check_join(ctx, request.user, patient_id, visit, same_clinician=same_clinician)
    except BookingRefused as refusal:
        return _refused(request, visit, refusal)
    messages.success(
        request, _("You are on the waitlist. Porch will tell you when an earlier time opens.")
    )
    return redirect("scheduling:detail", fhir_id=visit.id)


@login_required
@require_POST
def leave(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = patient_record(request_context(request))
    visit = access_appointment(ctx, patient_id, fhir_id)
    try:
        actions.check_leave(ctx, patient_id, visit)
    except BookingRefused as refusal:
        return _refused(request, visit, refusal)
    messages.success(request, _("You left the waitlist. Your appointment has not changed."))
    return redirect("scheduling:detail", fhir_id=visit.id)


@login_required
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    ctx, patient_id = patient_record(request_context(request))
    offered, visit = queries.access_offer(ctx, patient_id, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if form.is_valid():
        try:
            if form.cleaned_data["answer"] == "accept":
                moved = actions.check_accept_offer(ctx, request.user, patient_id, offered, visit)
                messages.success(request, _("Your appointment is now at the earlier time."))
                return redirect("scheduling:detail", fhir_id=moved)
            actions.check_decline_offer(ctx, offered)
            messages.success(request, _("You turned the time down. You are still on the waitlist."))
            return redirect("scheduling:detail", fhir_id=visit.id)
        except BookingRefused as refusal:
            form.add_error(None, refusal.reason)
            status = refusal.status
            offered.refresh_from_db()
    now = timezone.now()
    names = clinician_names({offered.slot.practitioner_id, visit.clinician_id} - {""})
    context = {
        "offer": offered,
        "state": queries.state_of(offered, now),
        "minutes_left": math.ceil((offered.expires_at - now).total_seconds() / 60),
        "clinician": names.get(offered.slot.practitioner_id, ""),
        "visit": visit,
        "visit_clinician": names.get(visit.clinician_id, visit.clinician_name),
        "form": form,
        "may_write": ctx.may_write,
    }
    return render(request, "waitlist/offer.html", context, status=status)
