"""Add to calendar: an .ics file per appointment, and a private feed of the open record's
appointments for calendar apps. Thin: queries read and authorize, actions write,
porch.calendars.ics writes the iCalendar."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from porch.access.rules import request_context, with_request_origin
from porch.accounts.models import User
from porch.calendars import actions, ics, queries
from porch.calendars.forms import CREATE, FeedForm
from porch.i18n import language_of
from porch.messaging.queries import patient_record
from porch.scheduling.queries import Visit, access_appointment

CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often calendar apps are asked to fetch a feed again.
FEED_REFRESH = timedelta(hours=1)


def _page_of(request: HttpRequest) -> ics.LinkOf:
    def link(visit: Visit) -> str:
        return request.build_absolute_uri(reverse("scheduling:detail", args=[visit.id]))

    return link


@login_required
@require_GET
def appointment(request: HttpRequest, fhir_id: str) -> HttpResponse:
    """One appointment of the open record as an .ics file."""
    ctx, patient_id = patient_record(request_context(request))
    visit = access_appointment(ctx, patient_id, fhir_id)
    made = ics.calendar([visit], _page_of(request))
    # A visit without a time yet (a request): nothing a calendar could hold.
    if not made.events:
        raise Http404("No time for this appointment yet")
    response = HttpResponse(made.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The open record's calendar feed: its state; POST makes a new one (shown once) or
    turns it off."""
    _ctx, patient_id = patient_record(request_context(request))
    user: User = request.user  # type: ignore[assignment]  # signed in: login_required
    form = FeedForm(request.POST if request.method == "POST" else None)
    status, address = 200, ""
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["action"] == CREATE:
            _feed, token = actions.do_create_feed(user, patient_id)
            address = request.build_absolute_uri(reverse("calendars:feed", args=[token]))
        else:
            actions.do_revoke_feed(user, patient_id)
            messages.success(
                request, _("The calendar feed is off. Calendars that used it get no more updates.")
            )
            return redirect("calendars:manage")
    context = {
        "form": form,
        "live": queries.live_feed(user.pk, patient_id),
        "address": address,
        "webcal": "webcal://" + address.split("://", 1)[1] if address else "",
        "clinic": settings.CLINIC_NAME,
    }
    response = render(request, "calendars/manage.html", context, status=status)
    # The feed's address is on this page once: keep it out of every cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _feed_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed of a token, for calendar apps (no sign-in: the token is the key). Unknown,
    revoked, and a feed whose owner lost access to the record: 404 alike."""
    found = queries.feed_of_token(token)
    ctx = queries.feed_context(found) if found is not None else None
    if found is None or ctx is None:
        return _feed_headers(HttpResponseNotFound("No such calendar", content_type="text/plain"))
    ctx = with_request_origin(ctx, request)
    with translation.override(language_of(found.user)):
        made = ics.calendar(
            queries.feed_visits(ctx, found.patient_id),
            _page_of(request),
            name=_("Appointments at %(clinic)s") % {"clinic": settings.CLINIC_NAME},
            uid=f"feed-{found.pk}@porch",
            refresh=FEED_REFRESH,
        )
    return _feed_headers(HttpResponse(made.to_ical(), content_type=CONTENT_TYPE))
