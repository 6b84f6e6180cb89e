"""Notification pages: the list, opening one, settings, the staff delivery log, and the
webhook where the text-message provider reports STOP and START."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access.actions import check_switch_record
from porch.notifications import actions, queries, sms
from porch.notifications.forms import NotificationSettingsForm
from porch.notifications.models import Delivery


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None  # the views are login_required
    return int(user_id)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = queries.list_notifications(_user_id(request))
    return render(request, "notifications/list.html", {"notifications": rows})


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = queries.access_notification(_user_id(request), pk)
    actions.do_mark_read(notification)
    if notification.patient_id:
        # Open the record it is about, when the person still may; else just the link.
        with contextlib.suppress(Http404):
            check_switch_record(request, notification.patient_id)
    safe = url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None)
    return redirect(notification.link if safe else "notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.do_mark_all_read(_user_id(request))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user_id = _user_id(request)
    kinds = queries.kinds_for(request.user)
    initial = queries.settings_initial(user_id, kinds)
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial, kinds=kinds
    )
    if request.method == "POST" and form.is_valid():
        actions.do_save_settings(user_id, kinds, form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    context: dict[str, Any] = {
        "form": form,
        "opted_out": queries.phone_opted_out(initial["phone"]),
        "texts_on": bool(settings.SMS_PROVIDER),
    }
    return render(request, "notifications/settings.html", context)


@login_required
@require_GET
def delivery_log(request: HttpRequest) -> HttpResponse:
    # Only administrators and the front desk: anyone else, not found.
    if not queries.may_see_delivery_log(request.user):
        raise Http404()
    status = request.GET.get("status", "")
    status = status if status in Delivery.Status.values else ""
    context = {
        "deliveries": queries.delivery_log(status),
        "status": status,
        "statuses": Delivery.Status.choices,
    }
    return render(request, "notifications/log.html", context)


@csrf_exempt  # Twilio cannot send a CSRF token; the request is signed instead.
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's incoming-message webhook: STOP and START keywords; anything else ignored."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = settings.SITE_URL + request.get_full_path()
    given = request.headers.get("X-Twilio-Signature", "")
    if not sms.valid_twilio_signature(url, params, settings.TWILIO_AUTH_TOKEN, given):
        return HttpResponseForbidden("bad signature")
    word = sms.keyword(params.get("Body", ""))
    phone = params.get("From", "")
    if word and sms.E164.match(phone):
        actions.do_record_sms_keyword(phone, word)
    # An empty TwiML answer: Twilio itself confirms STOP and START to the sender.
    return HttpResponse("<Response/>", content_type="text/xml")
