"""Audit events in plain language, for the patient's "Who has looked at my record" page.

Pure functions: the view passes the names of the people involved, read from the User
table; an event itself stores only a user id and a display name from the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as format_date

from porch.audit.models import Action, AuditEvent

ROLE_WORDS = {
    "clinician": "clinician",
    "front_desk": "front desk",
    "administrator": "administrator",
    "proxy": "proxy",
    "patient": "patient",
}
# Resource types people know by another word; the rest are split at capitals.
TYPE_WORDS = {
    "Observation": ("result", "results"),
    "DiagnosticReport": ("report", "reports"),
    "AllergyIntolerance": ("allergy", "allergies"),
    "MedicationRequest": ("prescription", "prescriptions"),
    "DocumentReference": ("document", "documents"),
    "Patient": ("details", "details"),
    "Communication": ("message", "messages"),
    "QuestionnaireResponse": ("questionnaire answer", "questionnaire answers"),
    "Media": ("image", "images"),
}


@dataclass(frozen=True)
class Viewer:
    """Who reads the page: their user id, and whether the record is their own."""

    user_id: int | None
    own_record: bool


def type_word(resource_type: str, *, plural: bool = False) -> str:
    if resource_type in TYPE_WORDS:
        singular, many = TYPE_WORDS[resource_type]
        return many if plural else singular
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", resource_type).lower()
    return words + "s" if plural else words


def who(event: AuditEvent, viewer: Viewer, names: dict[int, str]) -> str:
    """The person or system that acted, as the patient should read it."""
    if event.user_id is not None and event.user_id == viewer.user_id:
        return "You"
    if event.user_id is None:
        if event.action == Action.IMPORT or event.actor.startswith("system"):
            return "Porch"
        if event.actor.startswith("api-token:"):
            return f"A connected system ({event.actor.removeprefix('api-token:')})"
        return "Someone"
    name = names.get(event.user_id) or "A Porch user"
    role = ROLE_WORDS.get(event.role, "")
    if role == "proxy" and viewer.own_record:
        role = "your proxy"
    return f"{name} ({role})" if role else name


def did_what(event: AuditEvent, viewer: Viewer) -> str:
    your = "your" if viewer.own_record else "the"
    thing = type_word(event.resource_type) if event.resource_type else "record"
    things = type_word(event.resource_type, plural=True) if event.resource_type else "records"
    phrases = {
        Action.READ: f"viewed {your} {thing}",
        Action.SEARCH: f"searched {your} {things}",
        Action.CREATE: f"added a {thing} to {your} record",
        Action.UPDATE: f"changed {your} {thing}",
        Action.DELETE: f"removed {your} {thing}",
        Action.DOWNLOAD: f"downloaded {your} record",
        Action.PRINT: f"printed {your} record",
        Action.IMPORT: f"imported {your} records",
        Action.PROXY_GRANT: f"gave someone proxy access to {your} record",
        Action.PROXY_REVOKE: f"ended someone's proxy access to {your} record",
        Action.BREAK_GLASS: f"opened {your} record in an emergency (break the glass)",
        Action.ENROL: f"connected an account to {your} record",
        Action.REFUSED: f"tried to open {your} record and was refused",
    }
    phrase = phrases.get(Action(event.action), event.get_action_display().lower())
    if event.break_glass and event.action != Action.BREAK_GLASS:
        phrase += " (emergency access)"
    return phrase


def when(event: AuditEvent) -> str:
    local = timezone.localtime(event.at)
    return f"on {format_date(local, 'j F Y')} at {format_date(local, 'H:i')}"


def sentence(event: AuditEvent, viewer: Viewer, names: dict[int, str]) -> str:
    """E.g. "Dr. Ada Cruz (clinician) viewed your condition on 3 March 2026 at 10:04"."""
    return f"{who(event, viewer, names)} {did_what(event, viewer)} {when(event)}"
