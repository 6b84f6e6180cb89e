"""Benchmark: import the shared Synthea set into SQLite and PostgreSQL, then search it.

Usage (from the repository root, with the virtual environment):
    .venv/bin/python bench/import.py [--runs 3] [--databases sqlite,postgres]

Each run imports into a fresh database in its own process, so peak memory (max RSS) is
that run's own. Results go to bench/results/import.json and bench/results/import.md; quote
medians, not single runs: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from fresh_database import run_worker

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = Path(os.environ.get("PORCH_SHARED_DATA") or ROOT.parent / "shared" / "data") / "synthea"
RESULTS = ROOT / "bench" / "results"
BIG_PATIENT = "ff4188f6-12eb-419f-68a6-a0a245aa4b92"
SEARCH_REPEATS = 200


def worker(database_url: str, measure_search: bool) -> dict[str, object]:
    """One run, inside its own process: migrate, import everything, optionally search."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from porch.record.importer import import_paths

    call_command("migrate", verbosity=0)
    files = sorted(p for p in SYNTHEA.glob("*.json.bz2"))
    started = time.perf_counter()
    summary = import_paths(files)
    elapsed = time.perf_counter() - started
    result: dict[str, object] = {
        "resources": summary.total_resources,
        "seconds": round(elapsed, 2),
        "resources_per_second": round(summary.total_resources / elapsed, 1),
        "failures": [str(f) for f in summary.failures],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if measure_search:
        result["search"] = measure_searches()
    return result


def measure_searches() -> dict[str, dict[str, float]]:
    from porch.access.context import AccessContext
    from porch.record import search

    ctx = AccessContext.system(actor="bench", purpose="bench")
    patient = search.search(ctx, "Patient", [("_id", BIG_PATIENT)]).matches[0]
    family = patient.content["name"][0]["family"][:5] if patient.content else "Bogis"
    code = "8867-4"  # heart rate: hundreds of readings for the large patient
    queries = {
        f"Observation?patient={BIG_PATIENT[:8]}…&code={code}&_sort=-date": (
            "Observation",
            [("patient", BIG_PATIENT), ("code", f"http://loinc.org|{code}"), ("_sort", "-date")],
        ),
        f"Patient?name={family}": ("Patient", [("name", family)]),
        f"Observation?patient={BIG_PATIENT[:8]}…&date=ge2015&_count=50": (
            "Observation",
            [("patient", BIG_PATIENT), ("date", "ge2015-01-01"), ("_count", "50")],
        ),
    }
    figures: dict[str, dict[str, float]] = {}
    for label, (resource_type, params) in queries.items():
        timings = []
        total = None
        for _ in range(SEARCH_REPEATS):
            started = time.perf_counter()
            found = search.search(ctx, resource_type, params)
            timings.append((time.perf_counter() - started) * 1000)
            total = found.total
        timings.sort()
        figures[label] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "matches": float(total or 0),
        }
    return figures


def run_once(database: str, measure_search: bool) -> dict[str, object]:
    return run_worker(__file__, database, ["--search"] if measure_search else [])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--worker")
    parser.add_argument("--search", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.search)))
        return
    report: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "data": "shared/data/synthea: 63 bundles, 70,553 entries",
    }
    for database in args.databases.split(","):
        runs = [run_once(database, measure_search=(i == args.runs - 1)) for i in range(args.runs)]
        rates = [float(r["resources_per_second"]) for r in runs]  # type: ignore[arg-type]
        report[database] = {
            "median_resources_per_second": statistics.median(rates),
            "runs": runs,
        }
        print(database, "median", statistics.median(rates), "resources/s", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
