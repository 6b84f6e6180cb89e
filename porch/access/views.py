"""Pages that change who may see what. Thin: a form parses, an action or query decides."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access import actions, queries
from porch.access.actions import Capability, Refused
from porch.access.forms import BreakGlassForm, ProxyInviteForm, ProxySetUpForm, SwitchRecordForm
from porch.access.rules import access_state
from porch.accounts.decorators import sensitive


def _next_or(request: HttpRequest, fallback: str) -> str:
    """The `next` field when it points into this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else fallback


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    state = access_state(request)
    if state is None:
        raise Http404()
    entries = queries.records_to_open(state)
    return render(request, "access/records.html", {"entries": entries})


@login_required
@require_POST
def switch_record(request: HttpRequest) -> HttpResponse:
    form = SwitchRecordForm(request.POST)
    if not form.is_valid():
        raise Http404()
    actions.check_switch_record(request, form.cleaned_data["patient"])
    return redirect(_next_or(request, reverse("access:records")))


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, patient_id: str) -> HttpResponse:
    try:
        actions.break_glass_target(request, patient_id)
    except Refused as refusal:  # a chart they may open already: no glass to break
        messages.info(request, str(refusal))
        return redirect("access:records")
    form = BreakGlassForm(request.POST or None)
    if form.is_valid():
        try:
            actions.check_break_glass(request, patient_id, form.cleaned_data["reason"])
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.warning(request, _("You opened this chart by breaking the glass."))
            return redirect("access:records")
    context = {"form": form, "patient_id": patient_id, "minutes": settings.BREAK_GLASS_MINUTES}
    return render(request, "access/break_glass.html", context)


@login_required
@require_GET
def break_glass_report(request: HttpRequest) -> HttpResponse:
    state = actions.require(request, Capability.REVIEW_BREAK_GLASS)
    unreviewed = request.GET.get("unreviewed") == "1"
    entries = queries.break_glass_report(state.directory, unreviewed_only=unreviewed)
    context = {"entries": entries, "unreviewed": unreviewed}
    return render(request, "access/break_glass_report.html", context)


@login_required
@require_POST
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    actions.check_review_break_glass(request, pk)
    return redirect(_next_or(request, reverse("access:break_glass_report")))


@login_required
@require_GET
def proxies(request: HttpRequest) -> HttpResponse:
    state = access_state(request)
    if state is None or state.own is None:
        raise Http404()
    context = {"grants": queries.grants_of_patient(state.own), "staff_view": False}
    return render(request, "access/proxies.html", context)


@sensitive
@require_http_methods(["GET", "POST"])
def proxy_invite(request: HttpRequest) -> HttpResponse:
    state = access_state(request)
    if state is None or state.own is None:
        raise Http404()
    form = ProxyInviteForm(request.POST or None)
    if form.is_valid():
        try:
            actions.check_invite_proxy(request, form.proxy_request())
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Invitation recorded."))
            return redirect("access:proxies")
    return render(request, "access/proxy_form.html", {"form": form, "staff_view": False})


@login_required
@require_POST
def proxy_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = actions.check_revoke_proxy(request, pk)
    messages.success(request, _("Access revoked."))
    state = access_state(request)
    fallback = (
        reverse("access:proxies")
        if state is not None and grant.patient_id == state.own
        else reverse("access:patient_proxies", args=[grant.patient_id])
    )
    return redirect(_next_or(request, fallback))


@login_required
@require_GET
def patient_proxies(request: HttpRequest, patient_id: str) -> HttpResponse:
    actions.require(request, Capability.SET_UP_PROXY)
    context = {
        "grants": queries.grants_of_patient(patient_id),
        "staff_view": True,
        "patient_id": patient_id,
    }
    return render(request, "access/proxies.html", context)


@sensitive
@require_http_methods(["GET", "POST"])
def proxy_set_up(request: HttpRequest, patient_id: str) -> HttpResponse:
    actions.require(request, Capability.SET_UP_PROXY)
    form = ProxySetUpForm(request.POST or None)
    if form.is_valid():
        try:
            wanted = form.proxy_request(form.cleaned_data["legal_basis"])
            actions.check_set_up_proxy(request, patient_id, wanted)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Proxy access set up."))
            return redirect("access:patient_proxies", patient_id)
    context = {"form": form, "staff_view": True, "patient_id": patient_id}
    return render(request, "access/proxy_form.html", context)
