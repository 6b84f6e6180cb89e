"""FHIR dates as ranges: a value stands for every instant its precision covers.

"2020" is all of 2020, "2020-03-04" all of that day, "2020-03-04T10:00:00+01:00" one
second. Search compares such ranges (R4 §3.1.1.4.3). Values without a zone are read as
UTC: FHIR says such times are "local" to the server, and UTC keeps one answer whatever
the server's zone.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

MIN = datetime(1, 1, 1, tzinfo=UTC)
MAX = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

_PATTERN = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def parse_range(value: str) -> tuple[datetime, datetime]:
    """The [low, high] range a FHIR date, dateTime or instant covers.

    Raises ValueError naming the value when it is not a FHIR date.
    """
    match = _PATTERN.match(value.strip())
    if not match:
        raise ValueError(
            f"{value!r} is not a FHIR date (expected YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)"
        )
    g = match.groupdict()
    year = int(g["y"])
    try:
        if g["m"] is None:
            return datetime(year, 1, 1, tzinfo=UTC), _end(
                datetime(year, 12, 31, tzinfo=UTC), days=1
            )
        month = int(g["m"])
        if g["d"] is None:
            last = calendar.monthrange(year, month)[1]
            return datetime(year, month, 1, tzinfo=UTC), _end(
                datetime(year, month, last, tzinfo=UTC), days=1
            )
        day = int(g["d"])
        if g["H"] is None:
            start = datetime(year, month, day, tzinfo=UTC)
            return start, _end(start, days=1)
        tz = _zone(g["tz"])
        start = datetime(year, month, day, int(g["H"]), int(g["M"]), int(g["S"] or 0), tzinfo=tz)
        if g["f"]:
            micro = int((g["f"][1:] + "000000")[:6])
            start = start.replace(microsecond=micro)
            return start.astimezone(UTC), start.astimezone(UTC)
        step = timedelta(seconds=1) if g["S"] else timedelta(minutes=1)
        start = start.astimezone(UTC)
        return start, start + step - timedelta(microseconds=1)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date: {exc}") from exc


def _end(start: datetime, *, days: int) -> datetime:
    try:
        return start + timedelta(days=days) - timedelta(microseconds=1)
    except OverflowError:
        return MAX


def _zone(text: str | None) -> tzinfo:
    if text is None or text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
