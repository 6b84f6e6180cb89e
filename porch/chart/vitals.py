"""Vital signs on the health summary: for blood pressure, weight, BMI and heart rate, the
latest value and a trend of the most recent ones, drawn on the server (porch.results.trend)
with the same values as a table.

One search per kind of vital, newest first and capped at POINTS values, so the summary
makes the same number of queries for a record with three readings and one with three
thousand; a kind with older readings than shown says so (`more`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from porch.access.context import AccessContext
from porch.chart import fhirtext as ft
from porch.record import repository
from porch.results import display, trend
from porch.results.queries import POINTS_PER_TREND

if TYPE_CHECKING:  # queries imports this module
    from porch.chart.queries import Period

LOINC = "http://loinc.org"
BLOOD_PRESSURE, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"
WEIGHT, BMI, HEART_RATE = "29463-7", "39156-5", "8867-4"
# The order the summary shows them in, with their names in words.
KINDS: dict[str, Promise] = {
    BLOOD_PRESSURE: _("Blood pressure"),
    WEIGHT: _("Weight"),
    BMI: _("Body mass index (BMI)"),
    HEART_RATE: _("Heart rate"),
}
# Units as people write them, for the UCUM codes records use as units.
UNITS: dict[str, str | Promise] = {
    "mm[Hg]": "mmHg",
    "/min": _("beats/min"),
    "{beats}/min": _("beats/min"),
    "kg/m2": "kg/m²",
    "[lb_av]": "lb",
}
# As many values as a trend of test results shows, for the same reasons.
POINTS = POINTS_PER_TREND


@dataclass(frozen=True)
class Reading:
    """One measurement as the page says it: "72,5 kg", "120/80 mmHg"."""

    when: datetime
    value: str
    flag: str


@dataclass(frozen=True)
class Line:
    """One drawn series: the vital itself, or the top or bottom number of blood pressure."""

    key: str  # for element ids: "value", "systolic", "diastolic"
    name: str
    unit: str
    chart: trend.Chart


@dataclass
class Vital:
    code: str
    name: str
    latest: Reading
    readings: list[Reading]  # oldest first, as drawn
    lines: list[Line]  # empty with fewer than two values
    more: bool  # older readings exist than are shown


def vitals(ctx: AccessContext, period: Period | None = None) -> list[Vital]:
    """The vitals of the record open in `ctx` (see queries.open_record), in KINDS order;
    a kind never measured (in the period) is left out."""
    found = []
    for code, name in KINDS.items():
        vital = _vital(ctx, code, str(name), period)
        if vital is not None:
            found.append(vital)
    return found


def _vital(ctx: AccessContext, code: str, name: str, period: Period | None) -> Vital | None:
    result = repository.search(
        ctx,
        "Observation",
        [
            ("code", f"{LOINC}|{code}"),
            ("status:not", "entered-in-error"),
            ("_sort", "-date"),
            *(period.params("date") if period else []),
            ("_count", str(POINTS)),
            ("_total", "none"),
        ],
        max_count=POINTS,
    )
    measured = []
    for stored in result.matches:
        content = stored.content or {}
        when = display.effective(content) or display.moment(content.get("issued"))
        parts = _parts(code, content)
        if when is not None and parts:
            measured.append((when, content, parts))
    if not measured:
        return None
    measured.sort(key=lambda m: m[0])
    readings = [
        Reading(when, _words(code, parts), display.flag(c)[1]) for when, c, parts in measured
    ]
    lines = []
    if len(measured) >= 2:
        names = (
            [
                ("systolic", _("Systolic (top number)")),
                ("diastolic", _("Diastolic (bottom number)")),
            ]
            if code == BLOOD_PRESSURE
            else [("value", name)]
        )
        for index, (key, line_name) in enumerate(names):
            series = [(when, parts[index]) for when, _c, parts in measured]
            lines.append(_line(key, str(line_name), series))
    return Vital(code, name, readings[-1], readings, lines, result.has_next)


def _parts(code: str, content: dict[str, Any]) -> list[dict[str, Any]]:
    """What holds the numbers: the Observation itself, or for blood pressure its systolic
    and diastolic components (both, or nothing)."""
    if code != BLOOD_PRESSURE:
        return [content] if display.numeric_value(content) is not None else []
    components = [c for c in content.get("component") or [] if isinstance(c, dict)]
    parts = []
    for wanted in (SYSTOLIC, DIASTOLIC):
        part = next((c for c in components if wanted in ft.codes(c.get("code"))), None)
        if part is None or display.numeric_value(part) is None:
            return []
        parts.append(part)
    return parts


def _unit(unit: str) -> str:
    return str(UNITS.get(unit, unit))


def _words(code: str, parts: list[dict[str, Any]]) -> str:
    values = [display.value_of(part) for part in parts]
    if code == BLOOD_PRESSURE:
        return f"{values[0][0]}/{values[1][0]} {_unit(values[1][1] or 'mmHg')}"
    value, unit = values[0]
    return f"{value} {_unit(unit)}".strip()


def _line(key: str, name: str, series: list[tuple[datetime, dict[str, Any]]]) -> Line:
    points = []
    for when, part in series:
        value = display.numeric_value(part)
        assert value is not None  # _parts keeps numeric parts only
        points.append(trend.Point(when, value, display.value_of(part)[0], display.flag(part)[1]))
    unit = _unit(display.value_of(series[-1][1])[1])
    low, high, _range_words = display.reference_range(series[-1][1])
    return Line(key, name, unit, trend.chart(points, low, high))
