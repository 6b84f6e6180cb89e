"""The words of emails and texts, per kind. None of them names health information: they
say there is something to read in Porch, and nothing about what it is."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from porch.notifications.kinds import Kind

SUBJECTS: dict[str, Promise] = {
    Kind.MESSAGE: _("New message in Porch"),
    Kind.RESULT: _("New information in Porch"),
    Kind.ACCOUNT: _("A notice about your Porch account"),
    Kind.PATIENT_MESSAGE: _("New patient message in Porch"),
    Kind.REFILL_UPDATE: _("An update in Porch"),
    Kind.REFILL_REQUEST: _("New refill request in Porch"),
    Kind.APPOINTMENT: _("An appointment update in Porch"),
    Kind.APPOINTMENT_REMINDER: _("An appointment reminder from Porch"),
    Kind.APPOINTMENT_REQUEST: _("New appointment request in Porch"),
    Kind.CHECKIN_OPEN: _("Check in before your appointment"),
    Kind.WAITLIST_OFFER: _("An earlier appointment time in Porch"),
}

LINES: dict[str, Promise] = {
    Kind.MESSAGE: _("You have a new message from your care team. Sign in to Porch to read it."),
    Kind.RESULT: _("You have a new test result. Sign in to Porch to see it."),
    Kind.ACCOUNT: _("There is a notice about your account. Sign in to Porch to see it."),
    Kind.PATIENT_MESSAGE: _("A patient sent a new message. Sign in to Porch to read it."),
    Kind.REFILL_UPDATE: _("There is an update on your request. Sign in to Porch to read it."),
    Kind.REFILL_REQUEST: _("A patient asked for a refill. Sign in to Porch to answer it."),
    Kind.APPOINTMENT: _(
        "An appointment was booked, changed or cancelled. Sign in to Porch to see it."
    ),
    Kind.APPOINTMENT_REMINDER: _("You have an appointment soon. Sign in to Porch to see when."),
    Kind.APPOINTMENT_REQUEST: _(
        "A patient asked for an appointment. Sign in to Porch to answer it."
    ),
    Kind.CHECKIN_OPEN: _(
        "You can now check in for an appointment. Sign in to Porch to do it before you come."
    ),
    Kind.WAITLIST_OFFER: _(
        "An earlier appointment time is held for you for a short while. Sign in to Porch to "
        "take it."
    ),
}

# To a proxy: the notice is about someone they care for, whom the email does not name.
PROXY_LINE = _("There is something new for someone you care for. Sign in to Porch to see it.")
GENERIC_LINE = _("There is something new for you. Sign in to Porch to see it.")
SMS_STOP = _("Reply STOP to stop texts.")


def subject(kind: str) -> str:
    return str(SUBJECTS.get(kind, _("New information in Porch")))


def line(kind: str, *, for_proxy: bool) -> str:
    if for_proxy:
        return str(PROXY_LINE)
    return str(LINES.get(kind, GENERIC_LINE))
