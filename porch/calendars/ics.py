"""Appointments as iCalendar (RFC 5545), written with the icalendar library.

An event says when, and nothing else about the visit: the summary is "Appointment at
<CLINIC_NAME>", the description and URL are the appointment's page in Porch (which asks
the person to sign in). No visit type, clinician, location or patient name: a calendar
is synced to other companies' servers and shown on lock screens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from icalendar.enums import STATUS

from porch.scheduling.queries import Visit

PRODID = "-//Porch//Appointments//EN"
# The absolute address of a visit's page in Porch.
LinkOf = Callable[[Visit], str]
# FHIR Appointment.status -> VEVENT STATUS. Proposed, pending and waitlisted visits are
# not settled yet; the rest happened or will happen.
CANCELLED = frozenset({"cancelled", "noshow", "entered-in-error"})
TENTATIVE = frozenset({"proposed", "pending", "waitlist"})


def event_uid(visit: Visit) -> str:
    """Stable per appointment, so a calendar updates the entry instead of adding another."""
    return f"{visit.id}@porch"


def status(visit: Visit) -> STATUS:
    if visit.status in CANCELLED:
        return STATUS.CANCELLED
    if visit.status in TENTATIVE:
        return STATUS.TENTATIVE
    return STATUS.CONFIRMED


def sequence(visit: Visit) -> int:
    """Revision number: 1 once cancelled (the one change of an appointment that cannot be
    undone, and that a calendar must take over the entry it holds), else 0. A moved visit
    keeps 0; its newer DTSTAMP tells calendars which copy is current."""
    return 1 if status(visit) is STATUS.CANCELLED else 0


def event(visit: Visit, link: str, stamp: datetime) -> Event | None:
    """The visit as a VEVENT; None for a visit without a start time (nothing to put in a
    calendar). `link`: the absolute address of the appointment's page."""
    if visit.start is None:
        return None
    return Event.new(
        uid=event_uid(visit),
        stamp=stamp,
        start=visit.start.astimezone(UTC),
        end=visit.end.astimezone(UTC) if visit.end else None,
        summary=_("Appointment at %(clinic)s") % {"clinic": settings.CLINIC_NAME},
        description=link,
        url=link,
        status=status(visit),
        sequence=sequence(visit),
    )


def calendar(
    visits: Iterable[Visit],
    link: LinkOf,
    *,
    name: str | None = None,
    uid: str | None = None,
    refresh: timedelta | None = None,
) -> Calendar:
    """A VCALENDAR of the visits that have a start time, in the active language.
    `uid`, `name`, `refresh`: a subscribed feed's identity, title and how often calendar
    apps should fetch it again."""
    stamp = timezone.now().astimezone(UTC)
    events = [e for v in visits if (e := event(v, link(v), stamp)) is not None]
    made = Calendar.new(
        prodid=PRODID, name=name, uid=uid, refresh_interval=refresh, subcomponents=events
    )
    if uid is None:
        # The library gives every calendar a random UID; a downloaded file needs none.
        del made["UID"]
    if refresh is not None:
        # Outlook and Apple Calendar read this older name of REFRESH-INTERVAL.
        made.add("X-PUBLISHED-TTL", refresh)
    return made
