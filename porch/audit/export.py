"""The staff audit report as CSV, safe to open in a spreadsheet.

A cell that starts with = + - @, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets ("formula injection", OWASP CSV Injection); such cells get a
leading apostrophe so they are shown as text. Actor names and user agents come from
outside, so every cell goes through `safe_cell`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from porch.audit import log
from porch.audit.models import AuditEvent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("id", *log.EVENT_FIELDS)


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    """CSV lines, header first, one per event."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events:
        values = [getattr(event, column) for column in COLUMNS]
        values[1] = event.at.isoformat()
        yield writer.writerow([safe_cell(v) for v in values])
