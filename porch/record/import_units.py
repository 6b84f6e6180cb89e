"""What the importer writes, and how it counts and names the outcome.

A unit is one Bundle handed to porch.record.bundles in import mode: a transaction (all or
nothing) or a batch (entry by entry). The importer makes units of the files it reads (see
porch.record.importer); this module builds them, runs them, and turns the response Bundle
or the FhirError into counts per resource type and failures a person can act on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction

from porch.access.context import AccessContext
from porch.record import bundles, repository
from porch.record.errors import FhirError, OutcomeIssue

# Issues named per failure: enough to fix the file, short enough to read.
MAX_ISSUES = 3
_ENTRY_INDEX = re.compile(r"Bundle\.entry\[(\d+)\]")


@dataclass(frozen=True)
class Failure:
    """One rejected unit or entry: a file, a bundle entry, or an NDJSON chunk."""

    source: str  # file, or "archive.zip!member"
    where: str  # "entry 3", "line 17", or "" for the whole file
    resource: str  # "Observation/abc" when known
    problem: str

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.source, self.where, self.resource) if p)
        return f"{place}: {self.problem}"


@dataclass
class ImportSummary:
    # resource type -> {"created": n, "updated": n, "unchanged": n, "deleted": n}
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_ok: int = 0
    files_failed: int = 0
    skipped: list[str] = field(default_factory=list)  # not FHIR JSON or NDJSON
    elapsed: float = 0.0

    def fail(self, source: str, where: str, resource: str, problem: str) -> None:
        self.failures.append(Failure(source, where, resource, problem))

    def count(self, resource_type: str, outcome: str) -> None:
        self.counts.setdefault(resource_type, Counter())[outcome] += 1

    def total(self, outcome: str | None = None) -> int:
        return sum(c[outcome] if outcome else c.total() for c in self.counts.values())

    @property
    def total_resources(self) -> int:
        return self.total()

    @property
    def rate(self) -> float:
        return self.total() / self.elapsed if self.elapsed > 0 else 0.0

    def lines(self) -> list[str]:
        """The summary as text: files, notes, then one line per resource type."""
        out = [
            f"Files: {self.files_ok} ok, {self.files_failed} failed, {len(self.skipped)} skipped"
        ]
        if self.skipped:
            out.append(f"  skipped (not FHIR JSON or NDJSON): {', '.join(self.skipped)}")
        out += [f"  note: {note}" for note in self.notes]
        width = max((len(t) for t in self.counts), default=13)
        rows = [(t, self.counts[t]) for t in sorted(self.counts)]
        rows.append(
            ("Total", Counter({k: self.total(k) for k in ("created", "updated", "unchanged")}))
        )
        out.append(f"{'Resource type':<{width}}  created  updated  unchanged")
        out += [
            f"{t:<{width}}  {c['created']:>7}  {c['updated']:>7}  {c['unchanged']:>9}"
            for t, c in rows
        ]
        out.append(f"{self.total()} resources in {self.elapsed:.1f} s ({self.rate:.0f}/s)")
        return out


@dataclass
class Unit:
    """A transaction or batch to run, and where each of its entries came from."""

    source: str
    bundle: dict[str, Any]
    origins: list[str]  # per entry: "entry 3" or "line 17"
    labels: list[str]  # per entry: "Type/id" when known
    synthetic: bool  # made by the importer: its entry numbers mean nothing to the user
    lost: str = "nothing of this bundle was stored"  # what a failed transaction means


# --- building units -------------------------------------------------------------------


def id_for(resource: dict[str, Any], full_url: Any = None) -> str:
    """The id an import gives a resource (the one rule, in bundles.import_id)."""
    return bundles.import_id(resource, full_url if isinstance(full_url, str) else None)


def bundle_unit(source: str, bundle: dict[str, Any], notes: list[str]) -> Unit:
    """A transaction or batch as given, less its read-only entries (noted in `notes`)."""
    entries = bundle.get("entry") or []
    kept = [(i, e) for i, e in enumerate(entries) if _method(e) not in {"GET", "HEAD"}]
    if len(kept) < len(entries):
        notes.append(f"{source}: left out {len(entries) - len(kept)} read-only (GET) entries")
    return Unit(
        source,
        {"resourceType": "Bundle", "type": bundle["type"], "entry": [e for _, e in kept]},
        [f"entry {i}" for i, _ in kept],
        [_entry_label(e) for _, e in kept],
        synthetic=False,
    )


def collection_unit(source: str, bundle: dict[str, Any]) -> Unit:
    """The entries of a collection or searchset as one transaction of upserts by id."""
    origins: list[str] = []
    resources: list[tuple[dict[str, Any], str | None]] = []
    for index, entry in enumerate(bundle.get("entry") or []):
        # A searchset's outcome entries describe the search, not the record.
        if isinstance(entry, dict) and (entry.get("search") or {}).get("mode") == "outcome":
            continue
        resource = entry.get("resource") if isinstance(entry, dict) else None
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        origins.append(f"entry {index}")
        resources.append((resource if isinstance(resource, dict) else {}, full_url))
    return put_unit(source, resources, origins)


def put_unit(
    source: str, resources: list[tuple[dict[str, Any], str | None]], origins: list[str]
) -> Unit:
    """A transaction of PUT-by-id entries; fullUrls are kept so entries can refer to each other.

    The same Type/id twice (a collection holding two versions): the later one wins, as if
    they had been PUT one after the other.
    """
    by_key: dict[str, tuple[dict[str, Any], str]] = {}
    for (resource, full_url), origin in zip(resources, origins, strict=True):
        rtype = resource.get("resourceType")
        rtype = rtype if isinstance(rtype, str) else "(no resourceType)"
        fhir_id = id_for(resource, full_url)
        entry: dict[str, Any] = {
            "resource": {**resource, "id": fhir_id},
            "request": {"method": "PUT", "url": f"{rtype}/{fhir_id}"},
        }
        if isinstance(full_url, str):
            entry["fullUrl"] = full_url
        by_key.pop(f"{rtype}/{fhir_id}", None)
        by_key[f"{rtype}/{fhir_id}"] = (entry, origin)
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [e for e, _ in by_key.values()],
    }
    return Unit(source, bundle, [o for _, o in by_key.values()], list(by_key), synthetic=True)


def _method(entry: Any) -> str:
    request = entry.get("request") if isinstance(entry, dict) else None
    return str(request.get("method", "")).upper() if isinstance(request, dict) else ""


def _entry_label(entry: Any) -> str:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
        return "/".join(str(p) for p in (resource["resourceType"], resource.get("id")) if p)
    request = entry.get("request") if isinstance(entry, dict) else None
    return str(request.get("url", "")) if isinstance(request, dict) else ""


# --- running units --------------------------------------------------------------------


def run_unit(ctx: AccessContext, summary: ImportSummary, unit: Unit) -> None:
    """Run one transaction or batch; count what it did and name what failed. Raises nothing."""
    if not unit.bundle["entry"]:
        return
    try:
        # A savepoint of its own: a database error leaves the caller's transaction usable.
        with transaction.atomic():
            outcomes: list[str] = []
            response = bundles.process(ctx, unit.bundle, import_mode=True, outcomes=outcomes)
    except FhirError as exc:
        index = _failed_index(exc)
        where, label = (unit.origins[index], unit.labels[index]) if index is not None else ("", "")
        problem = _problem(exc.issues)
        if unit.synthetic and index is not None:
            problem = _unentried(problem, index)
        summary.fail(unit.source, where, label, f"{problem}; {unit.lost}")
        return
    except DatabaseError as exc:
        summary.fail(unit.source, "", "", f"database error: {exc}; {unit.lost}")
        return
    warnings: list[str] = []
    for index, item in enumerate(response.get("entry") or []):
        _count_entry(summary, unit, index, item, outcomes[index])
        for warning in _warnings(item):
            if unit.synthetic:
                warning = f"{unit.origins[index]}: {_unentried(warning, index)}"
            warnings.append(warning)
    if warnings:
        # One note per bundle: a large one can carry thousands of the same warning.
        summary.notes.append(f"{unit.source}: {len(warnings)} warning(s), the first: {warnings[0]}")


def upsert_whole(
    ctx: AccessContext, summary: ImportSummary, source: str, resource: dict[str, Any]
) -> None:
    """A single resource, or a Bundle kept whole: one update by id, nothing in it rewritten."""
    rtype = resource["resourceType"]
    fhir_id = id_for(resource)
    try:
        with transaction.atomic():
            outcome = repository.update(ctx, rtype, fhir_id, {**resource, "id": fhir_id})
    except FhirError as exc:
        summary.fail(source, "", f"{rtype}/{fhir_id}", _problem(exc.issues))
    except DatabaseError as exc:
        summary.fail(source, "", f"{rtype}/{fhir_id}", f"database error: {exc}")
    else:
        summary.count(rtype, outcome.status)


def _count_entry(
    summary: ImportSummary, unit: Unit, index: int, item: dict[str, Any], outcome: str
) -> None:
    answer = item.get("response") or {}
    code = str(answer.get("status", "")).split(" ", 1)[0]
    if not code.startswith("2"):
        issues = [
            OutcomeIssue(
                i.get("code", ""), i.get("diagnostics", ""), (i.get("expression") or [""])[0]
            )
            for i in (answer.get("outcome") or {}).get("issue") or []
        ]
        summary.fail(
            unit.source,
            unit.origins[index],
            unit.labels[index],
            f"{answer.get('status')}: {_problem(issues)}",
        )
        return
    rtype = str(item.get("fullUrl", unit.labels[index])).split("/", 1)[0]
    # A conditional create that found its match changed nothing, like an unchanged update.
    summary.count(rtype, {"exists": "unchanged", "absent": "deleted"}.get(outcome, outcome))


def _warnings(item: dict[str, Any]) -> list[str]:
    issues = ((item.get("response") or {}).get("outcome") or {}).get("issue") or []
    return [i.get("diagnostics", "") for i in issues if i.get("severity") == "warning"]


def _failed_index(exc: FhirError) -> int | None:
    for text in [i.expression for i in exc.issues] + [str(exc)]:
        found = _ENTRY_INDEX.search(text)
        if found:
            return int(found.group(1))
    return None


def _problem(issues: list[OutcomeIssue]) -> str:
    errors = [i for i in issues if i.severity in {"error", "fatal"}] or issues
    texts = [
        i.diagnostics if i.expression in i.diagnostics else f"{i.diagnostics} (at {i.expression})"
        for i in errors
    ]
    text = "; ".join(texts[:MAX_ISSUES]) + (
        f"; and {len(texts) - MAX_ISSUES} more" if len(texts) > MAX_ISSUES else ""
    )
    return text


def _unentried(text: str, index: int) -> str:
    """A message about an entry of a bundle the importer made, which the user never saw.

    The failure already names the line and the resource, so the entry path goes.
    """
    text = text.replace(f"Bundle.entry[{index}].resource", "resource")
    return text.replace(f"Bundle.entry[{index}]: ", "")
