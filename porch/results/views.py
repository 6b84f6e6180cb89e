"""The test results pages: the list, one report with trends, release, and preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access.rules import request_context
from porch.results import actions, display, queries
from porch.results.models import ResultPreference


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None  # the views are login_required
    return int(user_id)


@login_required
@require_GET
def results_list(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = queries.open_record(request_context(request))
    kind = request.GET.get("kind", "")
    kind = kind if kind in display.KINDS else ""
    lines = queries.list_reports(ctx, patient_id, _user_id(request), kind)
    context = {
        "lines": lines,
        "kind": kind,
        "kinds": display.KINDS,
        "facing": queries.patient_facing(ctx),
    }
    return render(request, "results/list.html", context)


@login_required
@require_GET
def report(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = queries.open_record(request_context(request))
    detail = queries.report_detail(ctx, patient_id, fhir_id)
    facing = queries.patient_facing(ctx)
    if facing:
        actions.do_mark_seen(_user_id(request), patient_id, detail.id)
    context = {"report": detail, "facing": facing, "clinician": ctx.role == "clinician"}
    return render(request, "results/report.html", context)


@login_required
@require_POST
def release_report(request: HttpRequest, fhir_id: str) -> HttpResponse:
    ctx, patient_id = queries.open_record(request_context(request))
    comment = request.POST.get("comment", "")[:2000]
    try:
        actions.check_release_result(ctx, _user_id(request), patient_id, fhir_id, comment)
    except actions.NotHeld:
        return HttpResponseBadRequest(_("This result is not held: the patient already sees it."))
    messages.success(request, _("Released to the patient."))
    return redirect("results:report", fhir_id=fhir_id)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = queries.open_record(request_context(request))
    if request.method == "POST":
        waiting = set(request.POST.getlist("wait"))
        actions.check_set_preferences(ctx, patient_id, waiting)
        messages.success(request, _("Your choices are saved."))
        return redirect("results:preferences")
    if not queries.patient_facing(ctx):
        raise Http404("No such page")
    chosen = set(
        ResultPreference.objects.filter(patient_id=patient_id, after_release_only=True).values_list(
            "token", flat=True
        )
    )
    tokens = [(t, t in chosen) for t in settings.RESULT_RELEASE_HELD_CODES]
    context = {"tokens": tokens, "facing": True, "may_write": ctx.may_write}
    return render(request, "results/preferences.html", context)
