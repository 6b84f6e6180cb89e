"""Check-in pages: the patient's (or acting proxy's) check-in for a booked visit, and the
clinician's view of a visit's check-in with the changes to reconcile. Thin: forms parse,
queries read and authorize, actions write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access.rules import request_context
from porch.checkin import actions, queries
from porch.checkin.forms import CheckInForm, DecisionForm
from porch.checkin.questionnaire import QuestionnaireForm, answer_lines


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, fhir_id: str) -> HttpResponse:
    """Check in for Appointment `fhir_id` of the open record."""
    ctx, visit = queries.patient_visit(request_context(request), fhir_id)
    done = queries.checkin_of(visit)
    context: dict[str, object] = {"visit": visit, "done": done}
    if done is not None:
        return render(request, "checkin/done.html", context)
    try:
        if not ctx.may_write:
            raise actions.Refused(
                _("You may view this record, but checking in needs permission to act.")
            )
        queries.check_window(visit)
    except (queries.NotOpen, actions.Refused) as refusal:
        return render(request, "checkin/closed.html", {**context, "reason": refusal}, status=403)
    data = request.POST if request.method == "POST" else None
    record = queries.record_to_review(ctx, visit.patient_id)
    form = CheckInForm(record, data)
    questionnaire = queries.questionnaire_for(ctx, visit)
    questions = QuestionnaireForm(questionnaire, data) if questionnaire else None
    if data is not None and form.is_valid() and (questions is None or questions.is_valid()):
        actions.check_submit_checkin(ctx, request.user, visit, form.reports(), questions)
        messages.success(request, _("You are checked in. Thank you."))
        return redirect("checkin:checkin", fhir_id=fhir_id)
    context.update(form=form, questions=questions, record=record)
    return render(request, "checkin/checkin.html", context, status=400 if data else 200)


@login_required
@require_GET
def staff_checkin(request: HttpRequest, fhir_id: str) -> HttpResponse:
    """A visit's check-in, for a clinician caring for the patient."""
    ctx = request_context(request)
    visit = queries.staff_visit(ctx, fhir_id)
    done = queries.checkin_of(visit)
    response = queries.questionnaire_response(ctx, done)
    context = {
        "visit": visit,
        "done": done,
        "answers": answer_lines(response) if response else [],
        "changes": queries.changes_for(ctx, done),
    }
    return render(request, "checkin/staff.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or dismiss one reported change."""
    ctx = request_context(request)
    change, visit = queries.access_reported_change(ctx, pk)
    form = DecisionForm(request.POST)
    if form.is_valid() and actions.check_decide_change(
        ctx, request.user, change, form.cleaned_data["decision"]
    ):
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("This report was already reconciled."))
    return redirect("checkin:staff", fhir_id=visit.id)
