"""Result release: which reports a patient or proxy may not see yet.

By default a result is visible as soon as it is in the record (21st Century Cures Act).
Operators list tokens in RESULT_RELEASE_HELD_CODES ("code" or "system|code", matched
against DiagnosticReport.code and .category); a matching report is held until a clinician
releases it (ResultRelease) or RESULT_AUTO_RELEASE_DAYS have passed since it was issued,
unless the patient chose (ResultPreference) to see that kind only after release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from porch.results import display
from porch.results.models import ResultPreference, ResultRelease


def held_tokens(report: dict[str, Any]) -> set[str]:
    """The configured tokens this report matches; empty for a report that is never held."""
    wanted = set(settings.RESULT_RELEASE_HELD_CODES)
    if not wanted:
        return set()
    found = display.codings(report.get("code"), report.get("category") or [])
    return {t for s, c in found for t in (c, f"{s}|{c}") if t in wanted}


def issued(report: dict[str, Any], fallback: datetime) -> datetime:
    return display.moment(report.get("issued")) or display.effective(report) or fallback


@dataclass(frozen=True)
class ReleaseState:
    """What is known about the releases and choices for one patient's reports."""

    releases: dict[str, ResultRelease]
    waits_for_release: frozenset[str]  # tokens the patient sees only after release

    @classmethod
    def load(cls, patient_id: str, report_ids: Iterable[str]) -> ReleaseState:
        """Two queries, whatever the number of reports."""
        ids = list(report_ids)
        releases = {
            r.report_id: r
            for r in ResultRelease.objects.filter(patient_id=patient_id, report_id__in=ids)
        }
        prefs = ResultPreference.objects.filter(patient_id=patient_id, after_release_only=True)
        return cls(releases, frozenset(prefs.values_list("token", flat=True)))

    def withheld(
        self, report_id: str, report: dict[str, Any], updated: datetime, now: datetime
    ) -> bool:
        """Whether the patient and their proxies may not see this report yet."""
        tokens = held_tokens(report)
        # Not a held kind: visible.
        if not tokens:
            return False
        # Released by a clinician: visible.
        if report_id in self.releases:
            return False
        # The patient chose to wait for their clinician for this kind: held.
        if tokens & self.waits_for_release:
            return True
        # Otherwise released automatically after the configured days.
        days = timedelta(days=settings.RESULT_AUTO_RELEASE_DAYS)
        return issued(report, updated) + days > now
