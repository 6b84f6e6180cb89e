"""Audit events in plain language, for the patient's "Who has looked at my record" page.

Pure functions: the view passes the names of the people involved, read from the User
table; an event itself stores only a user id and a display name from the time.

Every line is one translatable sentence with named placeholders (word order differs
between languages): the subject, the kind of entry as a whole noun phrase ("a result",
"una alergia"), the date and the time, formatted for the active language. A sentence
exists once for "your record" and once for "the record" (a proxy's view), so no article
or preposition is ever glued to a translated word. Nouns, roles and subjects carry the
"record activity" context, apart from the other catalogues' words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from porch.audit.models import Action, AuditEvent

ROLE_WORDS: dict[str, Promise] = {
    "clinician": pgettext_lazy("record activity role", "clinician"),
    "front_desk": pgettext_lazy("record activity role", "front desk"),
    "administrator": pgettext_lazy("record activity role", "administrator"),
    "proxy": pgettext_lazy("record activity role", "proxy"),
    "patient": pgettext_lazy("record activity role", "patient"),
}

# The kinds of entry as people know them: (one of them, some of them).
TYPE_WORDS: dict[str, tuple[Promise, Promise]] = {
    "Observation": (
        pgettext_lazy("record activity", "a result"),
        pgettext_lazy("record activity", "results"),
    ),
    "DiagnosticReport": (
        pgettext_lazy("record activity", "a report"),
        pgettext_lazy("record activity", "reports"),
    ),
    "Condition": (
        pgettext_lazy("record activity", "a condition"),
        pgettext_lazy("record activity", "conditions"),
    ),
    "AllergyIntolerance": (
        pgettext_lazy("record activity", "an allergy"),
        pgettext_lazy("record activity", "allergies"),
    ),
    "MedicationRequest": (
        pgettext_lazy("record activity", "a prescription"),
        pgettext_lazy("record activity", "prescriptions"),
    ),
    "MedicationStatement": (
        pgettext_lazy("record activity", "a medication"),
        pgettext_lazy("record activity", "medications"),
    ),
    "MedicationAdministration": (
        pgettext_lazy("record activity", "a dose of a medication"),
        pgettext_lazy("record activity", "doses of medications"),
    ),
    "Immunization": (
        pgettext_lazy("record activity", "an immunization"),
        pgettext_lazy("record activity", "immunizations"),
    ),
    "Procedure": (
        pgettext_lazy("record activity", "a procedure"),
        pgettext_lazy("record activity", "procedures"),
    ),
    "Encounter": (
        pgettext_lazy("record activity", "a visit"),
        pgettext_lazy("record activity", "visits"),
    ),
    "Appointment": (
        pgettext_lazy("record activity", "an appointment"),
        pgettext_lazy("record activity", "appointments"),
    ),
    "DocumentReference": (
        pgettext_lazy("record activity", "a document"),
        pgettext_lazy("record activity", "documents"),
    ),
    "CarePlan": (
        pgettext_lazy("record activity", "a care plan"),
        pgettext_lazy("record activity", "care plans"),
    ),
    "CareTeam": (
        pgettext_lazy("record activity", "a care team"),
        pgettext_lazy("record activity", "care teams"),
    ),
    "Goal": (pgettext_lazy("record activity", "a goal"), pgettext_lazy("record activity", "goals")),
    "Patient": (
        pgettext_lazy("record activity", "personal details"),
        pgettext_lazy("record activity", "personal details"),
    ),
    "Communication": (
        pgettext_lazy("record activity", "a message"),
        pgettext_lazy("record activity", "messages"),
    ),
    "QuestionnaireResponse": (
        pgettext_lazy("record activity", "a questionnaire answer"),
        pgettext_lazy("record activity", "questionnaire answers"),
    ),
    # Check-in's reports (porch.checkin), kept outside the record store and logged by it.
    "ReportedChange": (
        pgettext_lazy("record activity", "a change reported at check-in"),
        pgettext_lazy("record activity", "changes reported at check-in"),
    ),
    "Media": (
        pgettext_lazy("record activity", "an image"),
        pgettext_lazy("record activity", "images"),
    ),
    "ImagingStudy": (
        pgettext_lazy("record activity", "an imaging study"),
        pgettext_lazy("record activity", "imaging studies"),
    ),
    "Device": (
        pgettext_lazy("record activity", "a device"),
        pgettext_lazy("record activity", "devices"),
    ),
    "Claim": (
        pgettext_lazy("record activity", "a billing claim"),
        pgettext_lazy("record activity", "billing claims"),
    ),
    "ExplanationOfBenefit": (
        pgettext_lazy("record activity", "an insurance statement"),
        pgettext_lazy("record activity", "insurance statements"),
    ),
    "Coverage": (
        pgettext_lazy("record activity", "an insurance plan"),
        pgettext_lazy("record activity", "insurance plans"),
    ),
}
# Any other kind, and an event about the record as a whole.
ENTRY_WORDS = (
    pgettext_lazy("record activity", "an entry"),
    pgettext_lazy("record activity", "entries"),
)

# Per action: (about your own record, about the record a proxy has open). Placeholders:
# who, thing ("a result"), things ("results"), date, time.
SENTENCES: dict[str, tuple[Promise, Promise]] = {
    Action.READ.value: (
        _("%(who)s viewed %(thing)s in your record on %(date)s at %(time)s"),
        _("%(who)s viewed %(thing)s in the record on %(date)s at %(time)s"),
    ),
    Action.SEARCH.value: (
        _("%(who)s searched for %(things)s in your record on %(date)s at %(time)s"),
        _("%(who)s searched for %(things)s in the record on %(date)s at %(time)s"),
    ),
    Action.CREATE.value: (
        _("%(who)s added %(thing)s to your record on %(date)s at %(time)s"),
        _("%(who)s added %(thing)s to the record on %(date)s at %(time)s"),
    ),
    Action.UPDATE.value: (
        _("%(who)s changed %(thing)s in your record on %(date)s at %(time)s"),
        _("%(who)s changed %(thing)s in the record on %(date)s at %(time)s"),
    ),
    Action.DELETE.value: (
        _("%(who)s removed %(thing)s from your record on %(date)s at %(time)s"),
        _("%(who)s removed %(thing)s from the record on %(date)s at %(time)s"),
    ),
    Action.DOWNLOAD.value: (
        _("%(who)s downloaded your record on %(date)s at %(time)s"),
        _("%(who)s downloaded the record on %(date)s at %(time)s"),
    ),
    Action.PRINT.value: (
        _("%(who)s printed your record on %(date)s at %(time)s"),
        _("%(who)s printed the record on %(date)s at %(time)s"),
    ),
    Action.IMPORT.value: (
        _("%(who)s imported entries into your record on %(date)s at %(time)s"),
        _("%(who)s imported entries into the record on %(date)s at %(time)s"),
    ),
    Action.PROXY_GRANT.value: (
        _("%(who)s gave someone proxy access to your record on %(date)s at %(time)s"),
        _("%(who)s gave someone proxy access to the record on %(date)s at %(time)s"),
    ),
    Action.PROXY_REVOKE.value: (
        _("%(who)s ended someone's proxy access to your record on %(date)s at %(time)s"),
        _("%(who)s ended someone's proxy access to the record on %(date)s at %(time)s"),
    ),
    Action.BREAK_GLASS.value: (
        _("%(who)s opened your record in an emergency (break the glass) on %(date)s at %(time)s"),
        _("%(who)s opened the record in an emergency (break the glass) on %(date)s at %(time)s"),
    ),
    Action.ENROL.value: (
        _("%(who)s connected an account to your record on %(date)s at %(time)s"),
        _("%(who)s connected an account to the record on %(date)s at %(time)s"),
    ),
    Action.REFUSED.value: (
        _("%(who)s tried to open your record and was refused on %(date)s at %(time)s"),
        _("%(who)s tried to open the record and was refused on %(date)s at %(time)s"),
    ),
}
# An action with no sentence of its own (none is expected about a record).
OTHER = (
    _("%(who)s used your record on %(date)s at %(time)s"),
    _("%(who)s used the record on %(date)s at %(time)s"),
)


@dataclass(frozen=True)
class Viewer:
    """Who reads the page: their user id, and whether the record is their own."""

    user_id: int | None
    own_record: bool


def type_words(resource_type: str) -> tuple[str, str]:
    """("a result", "results") for a resource type, in the active language."""
    one, some = TYPE_WORDS.get(resource_type, ENTRY_WORDS)
    return str(one), str(some)


def role_word(role: str, viewer: Viewer) -> str:
    # A proxy of the reader's own record is "your proxy".
    if role == "proxy" and viewer.own_record:
        return pgettext("record activity role", "your proxy")
    word = ROLE_WORDS.get(role)
    return str(word) if word is not None else ""


def who(event: AuditEvent, viewer: Viewer, names: dict[int, str]) -> str:
    """The person or system that acted, as the patient should read it (a sentence's
    subject)."""
    if event.user_id is not None and event.user_id == viewer.user_id:
        return pgettext("record activity", "You")
    if event.user_id is None:
        if event.action == Action.IMPORT or event.actor.startswith("system"):
            return "Porch"
        if event.actor.startswith("api-token:"):
            name = event.actor.removeprefix("api-token:")
            return pgettext("record activity", "A connected system (%(name)s)") % {"name": name}
        return pgettext("record activity", "Someone")
    name = names.get(event.user_id) or pgettext("record activity", "A Porch user")
    role = role_word(event.role, viewer)
    if not role:
        return name
    return pgettext("record activity", "%(name)s (%(role)s)") % {"name": name, "role": role}


def moment(event: AuditEvent) -> dict[str, str]:
    """The event's date and time in the current time zone, formatted for the language."""
    local = timezone.localtime(event.at)
    return {"date": date_format(local, "DATE_FORMAT"), "time": date_format(local, "TIME_FORMAT")}


def sentence(event: AuditEvent, viewer: Viewer, names: dict[int, str]) -> str:
    """E.g. "Ada Cruz (clinician) viewed a result in your record on March 3, 2026 at
    10:04 a.m.", in the active language."""
    own, other = SENTENCES.get(event.action, OTHER)
    thing, things = type_words(event.resource_type)
    params = {"who": who(event, viewer, names), "thing": thing, "things": things}
    line = str(own if viewer.own_record else other) % {**params, **moment(event)}
    # Emergency access is said of every line it allowed, not only the opening one.
    if event.break_glass and event.action != Action.BREAK_GLASS:
        line = gettext("%(event)s (emergency access)") % {"event": line}
    return line
