"""How parts of FHIR results read on a page: names, dates, values, flags and statuses,
in the active language. Pure functions over FHIR JSON."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

LOINC = "http://loinc.org"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
# v2-0074 diagnostic service sections that are imaging.
IMAGING_SECTIONS = {"RAD", "CT", "MR", "NMR", "NMS", "RUS", "VUS", "OUS", "CUS", "XRC", "RX"}
# LOINC codes used as an imaging category (US Core: "Diagnostic imaging study").
IMAGING_LOINC = {"18748-4", "LP29684-5"}

FLAGS = {
    "H": _("High"),
    "L": _("Low"),
    "HH": _("Critically high"),
    "LL": _("Critically low"),
    "A": _("Abnormal"),
    "AA": _("Critically abnormal"),
    "N": _("Normal"),
}
# Flags that call for attention (styled, but always said in words too).
ATTENTION = {"H", "L", "HH", "LL", "A", "AA"}

STATUSES = {
    "registered": _("Registered"),
    "partial": _("Partial"),
    "preliminary": _("Preliminary"),
    "final": _("Final"),
    "amended": _("Amended"),
    "corrected": _("Corrected"),
    "appended": _("Appended"),
    "cancelled": _("Cancelled"),
    "entered-in-error": _("Entered in error"),
    "unknown": _("Unknown"),
}

KINDS = {"lab": _("Labs"), "imaging": _("Imaging"), "other": _("Other")}


def concept_text(concept: Any) -> str:
    """CodeableConcept.text, else the first coding's display, else its code."""
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            return str(coding["code"])
    return ""


def codings(*concepts: Any) -> list[tuple[str, str]]:
    """(system, code) of every coding of the concepts (a list of concepts counts too)."""
    found: list[tuple[str, str]] = []
    for concept in concepts:
        for item in concept if isinstance(concept, list) else [concept]:
            if isinstance(item, dict):
                for coding in item.get("coding") or []:
                    if isinstance(coding, dict) and coding.get("code"):
                        found.append((str(coding.get("system") or ""), str(coding["code"])))
    return found


def loinc_code(concept: Any) -> str:
    return next((code for system, code in codings(concept) if system == LOINC), "")


def kind_of(report: dict[str, Any]) -> str:
    """lab, imaging or other, from DiagnosticReport.category."""
    found = codings(report.get("category") or [])
    if any(s == V2_0074 and c == "LAB" for s, c in found):
        return "lab"
    if any((s == V2_0074 and c in IMAGING_SECTIONS) or c in IMAGING_LOINC for s, c in found):
        return "imaging"
    return "other"


def moment(value: Any) -> datetime | None:
    """A FHIR date or dateTime as an aware datetime (a date alone reads as its midnight,
    in the current time zone); None when absent or malformed."""
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    if parsed is not None:
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    try:
        day = parse_date(value) or (parse_date(value + "-01") if len(value) == 7 else None)
    except ValueError:
        day = None
    if day is None and len(value) == 4 and value.isdigit():
        day = date(int(value), 1, 1)
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


def effective(resource: dict[str, Any]) -> datetime | None:
    period = resource.get("effectivePeriod") or {}
    return moment(resource.get("effectiveDateTime")) or moment(period.get("start"))


def number(value: Any) -> str:
    """A number in the active language's format (decimal comma in Spanish), as given."""
    try:
        decimal = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number_format(decimal, use_l10n=True)


def value_of(observation: dict[str, Any]) -> tuple[str, str]:
    """(value, unit) of an Observation, formatted for the active language."""
    quantity = observation.get("valueQuantity")
    if isinstance(quantity, dict) and "value" in quantity:
        unit = quantity.get("unit") or quantity.get("code") or ""
        comparator = quantity.get("comparator") or ""
        return f"{comparator}{number(quantity['value'])}", str(unit)
    if "valueCodeableConcept" in observation:
        return concept_text(observation["valueCodeableConcept"]), ""
    if "valueString" in observation:
        return str(observation["valueString"]), ""
    if "valueInteger" in observation:
        return number(observation["valueInteger"]), ""
    if "valueBoolean" in observation:
        return str(_("Yes") if observation["valueBoolean"] else _("No")), ""
    return "", ""


def numeric_value(observation: dict[str, Any]) -> float | None:
    quantity = observation.get("valueQuantity")
    if isinstance(quantity, dict) and isinstance(quantity.get("value"), int | float):
        return float(quantity["value"])
    return None


def reference_range(observation: dict[str, Any]) -> tuple[float | None, float | None, str]:
    """(low, high, words) of the first reference range."""
    ranges = observation.get("referenceRange") or []
    first = ranges[0] if ranges and isinstance(ranges[0], dict) else {}
    low = (first.get("low") or {}).get("value")
    high = (first.get("high") or {}).get("value")
    low = float(low) if isinstance(low, int | float) else None
    high = float(high) if isinstance(high, int | float) else None
    if first.get("text"):
        return low, high, str(first["text"])
    unit = (first.get("low") or first.get("high") or {}).get("unit") or ""
    if low is not None and high is not None:
        words = f"{number(first['low']['value'])} to {number(first['high']['value'])} {unit}"
    elif low is not None:
        words = f"≥ {number(first['low']['value'])} {unit}"
    elif high is not None:
        words = f"≤ {number(first['high']['value'])} {unit}"
    else:
        words = ""
    return low, high, words.strip()


def flag(observation: dict[str, Any]) -> tuple[str, str]:
    """(code, words) of the first interpretation; words from its text when not a known code."""
    interpretations = observation.get("interpretation") or []
    for concept in interpretations:
        for _system, code in codings(concept):
            if code in FLAGS:
                return code, str(FLAGS[code])
        text = concept_text(concept)
        if text:
            return "", text
    return "", ""


def status_words(status: Any) -> str:
    words = STATUSES.get(str(status or ""))
    return str(words) if words is not None else str(status or "")


def notes(resource: dict[str, Any]) -> list[str]:
    return [
        str(n["text"]) for n in resource.get("note") or [] if isinstance(n, dict) and n.get("text")
    ]
