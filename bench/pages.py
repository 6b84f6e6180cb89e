"""Benchmark: server time and SQL queries of the patient's main pages, SQLite and PostgreSQL.

Usage (from the repository root, with the virtual environment):
    .venv/bin/python bench/pages.py [--repeats 30] [--databases sqlite,postgres]

For each database, in its own process with a fresh database: import the two Synthea batch
bundles (organizations, practitioners), the 25,000-entry patient and the patient with the
median entry count (shared/data/synthea/INDEX.csv); give each patient a signed-in patient
account (django.test.Client.force_login); then time `client.get` of home `/`, the results
list `/results/`, one report with a trend `/results/<id>/` and the health summary
`/summary/`: 3 warm-ups, then `--repeats` timed requests (p50, p95), then one more request
under CaptureQueriesContext for the number of SQL queries. Results go to
bench/results/pages.json; quote medians: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fresh_database import run_worker

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = Path(os.environ.get("PORCH_SHARED_DATA") or ROOT.parent / "shared" / "data") / "synthea"
RESULTS = ROOT / "bench" / "results"
BIG_PATIENT = "ff4188f6-12eb-419f-68a6-a0a245aa4b92"
WARMUPS = 3


def chosen_files() -> tuple[list[Path], dict[str, dict[str, Any]]]:
    """The batch bundles, the big patient and the median patient, with facts about each."""
    with (SYNTHEA / "INDEX.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    batches = [r for r in rows if r["bundle_type"] == "batch"]
    patients = sorted(
        (r for r in rows if r["bundle_type"] == "transaction" and r["patient_id"]),
        key=lambda r: (int(r["entries"]), r["file"]),
    )
    median = patients[len(patients) // 2]
    big = next(r for r in patients if r["patient_id"] == BIG_PATIENT)
    chosen = {
        "large": {"patient_id": big["patient_id"], "file": big["file"], "entries": big["entries"]},
        "median": {
            "patient_id": median["patient_id"],
            "file": median["file"],
            "entries": median["entries"],
        },
    }
    files = [SYNTHEA / r["file"] for r in batches] + [
        SYNTHEA / big["file"],
        SYNTHEA / median["file"],
    ]
    return files, chosen


def worker(database_url: str, repeats: int) -> dict[str, object]:
    """One database, inside its own process: migrate, import, sign in, measure."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
    os.environ["ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, "testserver", "localhost"]))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from porch.record.importer import import_paths

    call_command("migrate", verbosity=0)
    files, chosen = chosen_files()
    started = time.perf_counter()
    summary = import_paths(files)
    result: dict[str, object] = {
        "import": {
            "files": [f.name for f in files],
            "resources": summary.total_resources,
            "seconds": round(time.perf_counter() - started, 1),
            "failures": [str(f) for f in summary.failures],
        }
    }
    for label, facts in chosen.items():
        result[label] = {**facts, **measure_patient(label, str(facts["patient_id"]), repeats)}
    return result


def report_with_trend(patient_id: str) -> tuple[str, str, list[str]]:
    """A DiagnosticReport of the patient with at least one LOINC code among its results
    that the patient has measured twice or more (so the page draws a trend): a panel with
    the most such codes, the newest of those. Returns its id, name and repeated codes."""
    from porch.access.context import AccessContext
    from porch.record import search
    from porch.results import display

    ctx = AccessContext.system(actor="bench", purpose="bench")
    reports = []
    offset = 0
    while True:
        page = search.search(
            ctx,
            "DiagnosticReport",
            [
                ("patient", patient_id),
                ("_include", "DiagnosticReport:result"),
                ("_sort", "-date"),
                ("_count", "500"),
                ("_offset", str(offset)),
                ("_total", "none"),
            ],
        )
        observations = {r.reference: r for r in page.included if r.resource_type == "Observation"}
        for report in page.matches:
            refs = [str(x.get("reference", "")) for x in (report.content or {}).get("result") or []]
            codes = [
                c
                for ref in refs
                if ref in observations
                and (c := display.loinc_code((observations[ref].content or {}).get("code")))
            ]
            reports.append((report, codes))
        if not page.has_next:
            break
        offset += len(page.matches)
    counts: Counter[str] = Counter(c for _report, codes in reports for c in set(codes))
    best = None
    for report, codes in reports:  # newest first
        repeated = sorted({c for c in codes if counts[c] >= 2})
        if repeated and (best is None or len(repeated) > len(best[1])):
            best = (report, repeated)
    if best is None:
        raise SystemExit(f"Patient/{patient_id} has no report with a repeated LOINC code")
    report, repeated = best
    return report.id, display.concept_text((report.content or {}).get("code")), repeated


def measure_patient(label: str, patient_id: str, repeats: int) -> dict[str, object]:
    from allauth.account.models import EmailAddress
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from porch.accounts.models import PatientLink, Role, RoleAssignment, User

    email = f"bench-{label}@example.org"
    user = User.objects.create_user(username=email, email=email, password=None)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    RoleAssignment.objects.create(user=user, role=Role.PATIENT)
    PatientLink.objects.create(user=user, patient_id=patient_id)
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)

    report_id, report_name, repeated = report_with_trend(patient_id)
    pages = {
        "home": "/",
        "results_list": "/results/",
        "report_with_trend": f"/results/{report_id}/",
        "summary": "/summary/",
    }
    figures: dict[str, object] = {
        "report": {"id": report_id, "name": report_name, "repeated_loinc_codes": repeated}
    }
    for page, url in pages.items():
        for _ in range(WARMUPS):
            _get(client, url)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            body = _get(client, url)
        if page == "report_with_trend":
            assert 'data-testid="trend-chart"' in body, f"no trend drawn on {url}"
        timings.sort()
        figures[page] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1),
            "queries": len(captured.captured_queries),
        }
        print(label, page, figures[page], file=sys.stderr)
    return figures


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def run_once(database: str, repeats: int) -> dict[str, object]:
    return run_worker(__file__, database, ["--repeats", str(repeats)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeats)))
        return
    report: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "repeats": args.repeats,
        "warmups": WARMUPS,
    }
    for database in args.databases.split(","):
        report[database] = run_once(database, args.repeats)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pages.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
