"""Small readers that turn FHIR R4 data types into words for a page. No access here:
they read content the caller already fetched through the record repository."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from porch.access.rules import display_name


def concept(value: Any) -> str:
    """A CodeableConcept (or Coding) as words: its text, else the first display, else code."""
    if not isinstance(value, dict):
        return ""
    if value.get("text"):
        return str(value["text"])
    if value.get("display"):
        return str(value["display"])
    for coding in value.get("coding") or []:
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"])
    for coding in value.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            return str(coding["code"])
    return str(value.get("code") or "")


def concepts(values: Any) -> str:
    return ", ".join(t for t in (concept(v) for v in values or []) if t)


def codes(value: Any) -> set[str]:
    if not isinstance(value, dict):
        return set()
    return {str(c.get("code")) for c in value.get("coding") or [] if isinstance(c, dict)}


def when(value: Any) -> date | datetime | str | None:
    """A FHIR date or dateTime as a date or datetime for |date, else the raw text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is not None and "T" in value:
        return parsed
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    return day or value


def first_date(content: dict[str, Any], *fields: str) -> date | datetime | str | None:
    """The first of `fields` that holds a date: a dateTime, or the start of a Period."""
    for name in fields:
        value = content.get(name)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        found = when(value)
        if found is not None:
            return found
    return None


def reference_name(ref: Any, included: dict[str, dict[str, Any]]) -> str:
    """A Reference's display, else the name of the resource it points at when included."""
    if not isinstance(ref, dict):
        return ""
    if ref.get("display"):
        return str(ref["display"])
    target = included.get(str(ref.get("reference") or ""))
    if target is None:
        return ""
    if target.get("resourceType") in {"Practitioner", "Patient", "RelatedPerson"}:
        return display_name(target)
    return str(target.get("name") or "") if isinstance(target.get("name"), str) else ""


def quantity(value: Any) -> str:
    if not isinstance(value, dict) or value.get("value") is None:
        return ""
    unit = value.get("unit") or value.get("code") or ""
    return f"{value['value']} {unit}".strip()


def dosage(instructions: Any) -> str:
    """Dosage instructions in words: the prescriber's text, else a sentence built from the
    dose and timing."""
    parts = []
    for item in instructions or []:
        if not isinstance(item, dict):
            continue
        if item.get("text"):
            parts.append(str(item["text"]))
            continue
        parts.append(_dosage_sentence(item))
    return "; ".join(p for p in parts if p)


_PERIOD_UNITS = frozenset({"s", "min", "h", "d", "wk", "mo", "a"})


def _dosage_sentence(item: dict[str, Any]) -> str:
    words = []
    for dose_rate in item.get("doseAndRate") or []:
        dose = quantity(dose_rate.get("doseQuantity")) if isinstance(dose_rate, dict) else ""
        if dose:
            words.append(_("Take %(dose)s") % {"dose": dose})
            break
    repeat = (item.get("timing") or {}).get("repeat") or {}
    frequency, period, unit = (
        repeat.get("frequency"),
        repeat.get("period"),
        repeat.get("periodUnit"),
    )
    if frequency and period and unit in _PERIOD_UNITS:
        times = ngettext("%(n)s time", "%(n)s times", int(frequency)) % {"n": frequency}
        words.append(_every(times, period, unit))
    if item.get("asNeededBoolean"):
        words.append(_("as needed"))
    return ", ".join(words)


def _every(times: str, period: Any, unit: str) -> str:
    if period == 1:
        one = {
            "s": _("second"),
            "min": _("minute"),
            "h": _("hour"),
            "d": _("day"),
            "wk": _("week"),
            "mo": _("month"),
            "a": _("year"),
        }
        return _("%(times)s a %(unit)s") % {"times": times, "unit": one[unit]}
    many = {
        "s": _("seconds"),
        "min": _("minutes"),
        "h": _("hours"),
        "d": _("days"),
        "wk": _("weeks"),
        "mo": _("months"),
        "a": _("years"),
    }
    return _("%(times)s every %(period)s %(unit)s") % {
        "times": times,
        "period": period,
        "unit": many[unit],
    }
