"""Reads for the results pages. Every function takes the request's access context first
and reads the record only through porch.record.search / repository, which apply the
context in SQL and write the audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import Role
from porch.record import repository
from porch.record.search import search
from porch.record.stored import StoredResource
from porch.results import display, release, trend
from porch.results.models import ResultRelease, ResultSeen
from porch.results.plainlanguage import what_it_measures

LIST_LIMIT = 200
# The clinician's chart shows the newest reports and links to the full list.
CHART_LIMIT = 10
# A trend shows the most recent values of a test: enough to see a direction, few enough
# that a report of 16 tests stays a page a person can read (and render fast: drawing every
# value of a 25,000-entry record made the page 395 KB, bench/pages.py).
POINTS_PER_TREND = 24
PATIENT_FACING = {Role.PATIENT.value, Role.PROXY.value}


def patient_facing(ctx: AccessContext) -> bool:
    return ctx.role in PATIENT_FACING


def open_record(ctx: AccessContext) -> tuple[AccessContext, str]:
    """The open record's patient id, and the context narrowed to it (never widened).
    Raises Http404 when no record is open."""
    patient_id = ctx.acting_for
    # No open record (staff, a clinician without a chart open): nothing to show.
    if not patient_id:
        raise Http404("No record is open")
    # The open record must be one the context may read.
    if ctx.patient_ids is not None and patient_id not in ctx.patient_ids:
        raise Http404("No record is open")
    only = frozenset({patient_id})
    narrowed = replace(
        ctx,
        patient_ids=only,
        confidential_hidden=ctx.confidential_hidden & only,
        break_glass=ctx.break_glass & only,
    )
    return narrowed, patient_id


@dataclass(frozen=True)
class ReportLine:
    id: str
    name: str
    when: datetime | None
    status: str
    kind: str
    is_new: bool
    held: bool  # held from the patient (only clinicians are shown such lines)


def list_reports(
    ctx: AccessContext, patient_id: str, user_id: int, kind: str = "", limit: int = LIST_LIMIT
) -> list[ReportLine]:
    """The patient's `limit` newest reports that this context may see, newest first; `kind`
    filters to lab, imaging or other. A fixed number of queries, whatever the number of
    reports."""
    found = search(
        ctx,
        "DiagnosticReport",
        [("patient", patient_id), ("_sort", "-date"), ("_total", "none")],
        default_count=limit,
    ).matches
    ids = [r.id for r in found]
    state = release.ReleaseState.load(patient_id, ids)
    seen = set(
        ResultSeen.objects.filter(user_id=user_id, report_id__in=ids).values_list(
            "report_id", flat=True
        )
    )
    now = timezone.now()
    facing = patient_facing(ctx)
    lines = []
    for stored in found:
        content = stored.content or {}
        held = state.withheld(stored.id, content, stored.last_updated, now)
        # Held results stay out of a patient's or proxy's list until released.
        if held and facing:
            continue
        line = ReportLine(
            id=stored.id,
            name=display.concept_text(content.get("code")),
            when=display.effective(content) or display.moment(content.get("issued")),
            status=display.status_words(content.get("status")),
            kind=display.kind_of(content),
            is_new=facing and stored.id not in seen,
            held=held,
        )
        if not kind or line.kind == kind:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Change:
    before: str
    after: str


@dataclass(frozen=True)
class ObservationLine:
    id: str
    name: str
    value: str
    unit: str
    range_text: str
    flag_code: str
    flag: str
    status: str
    notes: list[str]
    measures: str
    loinc: str
    change: Change | None


@dataclass(frozen=True)
class Trend:
    loinc: str
    name: str
    unit: str
    chart: trend.Chart


@dataclass
class ReportDetail:
    id: str
    patient_id: str
    name: str
    when: datetime | None
    issued: datetime | None
    status: str
    conclusion: str
    observations: list[ObservationLine]
    held: bool
    release: ResultRelease | None
    trends: list[Trend] = field(default_factory=list)


def access_report(
    ctx: AccessContext, patient_id: str, report_id: str
) -> tuple[StoredResource, list[StoredResource]]:
    """The report in the patient's record with its Observations, in one search. Raises
    Http404 for a report that is missing, another patient's, or not readable."""
    result = search(
        ctx,
        "DiagnosticReport",
        [("_id", report_id), ("patient", patient_id), ("_include", "DiagnosticReport:result")],
    )
    # Missing, someone else's and not readable answer the same.
    if not result.matches:
        raise Http404("No such report")
    report = result.matches[0]
    by_ref = {r.reference: r for r in result.included if r.resource_type == "Observation"}
    refs = [str(ref.get("reference", "")) for ref in (report.content or {}).get("result") or []]
    return report, [by_ref[ref] for ref in refs if ref in by_ref]


def report_detail(ctx: AccessContext, patient_id: str, report_id: str) -> ReportDetail:
    """A report with its values, changes and trends. Raises Http404 as access_report does,
    and for a patient or proxy when the report is held from them."""
    report, observations = access_report(ctx, patient_id, report_id)
    content = report.content or {}
    state = release.ReleaseState.load(patient_id, [report.id])
    now = timezone.now()
    held = state.withheld(report.id, content, report.last_updated, now)
    # A held report is not there for the patient or their proxies until released.
    if held and patient_facing(ctx):
        raise Http404("No such report")
    lines = [_observation_line(ctx, o) for o in observations]
    detail = ReportDetail(
        id=report.id,
        patient_id=patient_id,
        name=display.concept_text(content.get("code")),
        when=display.effective(content),
        issued=display.moment(content.get("issued")),
        status=display.status_words(content.get("status")),
        conclusion=str(content.get("conclusion") or ""),
        observations=lines,
        held=held,
        release=state.releases.get(report.id),
    )
    detail.trends = trends(ctx, patient_id, observations, state, now)
    return detail


def _observation_line(ctx: AccessContext, stored: StoredResource) -> ObservationLine:
    content = stored.content or {}
    value, unit = display.value_of(content)
    _low, _high, range_text = display.reference_range(content)
    flag_code, flag = display.flag(content)
    code = display.loinc_code(content.get("code"))
    change = None
    # A corrected or amended value says what it was before.
    if content.get("status") in {"corrected", "amended"} and stored.version_id > 1:
        change = _change(ctx, stored, value, unit)
    return ObservationLine(
        id=stored.id,
        name=display.concept_text(content.get("code")),
        value=value,
        unit=unit,
        range_text=range_text,
        flag_code=flag_code,
        flag=flag,
        status=display.status_words(content.get("status")),
        notes=display.notes(content),
        measures=what_it_measures(code) if code else "",
        loinc=code,
        change=change,
    )


def _change(ctx: AccessContext, stored: StoredResource, value: str, unit: str) -> Change | None:
    """The value of the version before this one, when it differed."""
    versions = repository.history(ctx, "Observation", stored.id, count=2).entries
    previous = next((v for v in versions if v.version_id < stored.version_id and v.content), None)
    if previous is None or previous.content is None:
        return None
    old_value, old_unit = display.value_of(previous.content)
    before, after = f"{old_value} {old_unit}".strip(), f"{value} {unit}".strip()
    return Change(before, after) if before != after else None


def trends(
    ctx: AccessContext,
    patient_id: str,
    observations: list[StoredResource],
    state: release.ReleaseState,
    now: datetime,
) -> list[Trend]:
    """For each test of the report measured at least twice, its most recent values.

    Tests of a panel are usually measured together, so one search for POINTS_PER_TREND
    values per test, newest first, fills every trend; a second search, for the tests that
    search left short, covers those measured less often. At most two searches, whatever
    the size of the record.
    """
    codes = list(
        dict.fromkeys(
            c for o in observations if (c := display.loinc_code((o.content or {}).get("code")))
        )
    )
    series: dict[str, list[trend.Point]] = defaultdict(list)
    meta: dict[str, tuple[str, str, float | None, float | None]] = {}
    wanted = codes
    for _round in range(2):
        complete = _add_trend_points(ctx, patient_id, wanted, state, now, series, meta)
        wanted = [c for c in wanted if len(series[c]) < POINTS_PER_TREND]
        if complete or not wanted:
            break
        for code in wanted:  # the second search finds their newest values again
            series.pop(code, None)
    found = []
    for code in codes:
        points = sorted(series.get(code, []), key=lambda p: p.when)[-POINTS_PER_TREND:]
        if len(points) >= 2:
            name, unit, low, high = meta[code]
            found.append(Trend(code, name, unit, trend.chart(points, low, high)))
    return found


def _add_trend_points(
    ctx: AccessContext,
    patient_id: str,
    codes: list[str],
    state: release.ReleaseState,
    now: datetime,
    series: dict[str, list[trend.Point]],
    meta: dict[str, tuple[str, str, float | None, float | None]],
) -> bool:
    """Add the newest values of these tests to `series`; True when the search returned
    every value the patient has of them."""
    if not codes:
        return True
    limit = POINTS_PER_TREND * len(codes)
    result = search(
        ctx,
        "Observation",
        [
            ("patient", patient_id),
            ("code", ",".join(f"{display.LOINC}|{c}" for c in codes)),
            # Newest first, so the limit keeps the recent values.
            ("_sort", "-date"),
            ("_revinclude", "DiagnosticReport:result"),
            ("_total", "none"),
        ],
        default_count=limit,
        max_count=limit,
    )
    hidden = _withheld_observations(ctx, patient_id, result.included, state, now)
    for stored in result.matches:
        content = stored.content or {}
        code = display.loinc_code(content.get("code"))
        value = display.numeric_value(content)
        when = display.effective(content)
        if stored.id in hidden or value is None or when is None or code not in codes:
            continue
        label, unit = display.value_of(content)
        low, high, _words = display.reference_range(content)
        series[code].append(trend.Point(when, value, label, display.flag(content)[1]))
        meta[code] = (display.concept_text(content.get("code")), unit, low, high)
    return not result.has_next


def _withheld_observations(
    ctx: AccessContext,
    patient_id: str,
    reports: list[StoredResource],
    state: release.ReleaseState,
    now: datetime,
) -> set[str]:
    """Observations of reports held from this patient-facing context."""
    if not patient_facing(ctx):
        return set()
    others = release.ReleaseState.load(patient_id, [r.id for r in reports])
    merged = release.ReleaseState({**others.releases, **state.releases}, state.waits_for_release)
    hidden: set[str] = set()
    for report in reports:
        content = report.content or {}
        if merged.withheld(report.id, content, report.last_updated, now):
            for ref in content.get("result") or []:
                hidden.add(str(ref.get("reference", "")).removeprefix("Observation/"))
    return hidden
