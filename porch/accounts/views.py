"""Account pages: staff enrolment (activation codes, verification), session checks."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.accounts import actions, sessions
from porch.accounts.decorators import staff_required
from porch.accounts.forms import IssueCodeForm, VerifyPatientForm


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def issue_code(request: HttpRequest) -> HttpResponse:
    form = IssueCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            code = actions.issue_activation_code(request.user, data["patient_id"], data["delivery"])  # type: ignore[arg-type]
        except ValueError as exc:
            form.add_error("patient_id", str(exc))
        else:
            context = {"code": code, "patient_id": data["patient_id"]}
            return render(request, "accounts/code_issued.html", context)
    context = {"form": form, "days": settings.ACTIVATION_CODE_DAYS}
    return render(request, "accounts/issue_code.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def verify_patient(request: HttpRequest) -> HttpResponse:
    form = VerifyPatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account, patient_id = form.cleaned_data["email"], form.cleaned_data["patient_id"]
        try:
            actions.verify_patient(account, patient_id, request.user)  # type: ignore[arg-type]
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{account.email} is now linked to patient {patient_id}.")
            return redirect("verify_patient")
    return render(request, "accounts/verify_patient.html", {"form": form})


@never_cache
@login_required
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds until the idle or absolute limit; does not count as activity."""
    return JsonResponse({"idle_seconds_left": sessions.idle_seconds_left(request, time.time())})


@never_cache
@login_required
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """The "stay signed in" button: the request itself is the activity."""
    return HttpResponse(status=204)
