"""Benchmark porch.record.validation on every resource of the Synthea set.

Run from the repo root with the venv active:
    python bench/validate.py

Writes bench/results/validate.txt. Measures: schema load + compile time, validation cost
per resource (median of 3 runs over all resources), a whole 25,000-entry bundle, and, on a
fixed sample, the alternatives: the pure-Python `jsonschema` library on the same patched
schema, jsonschema_rs on the unpatched schema's top-level oneOf (valid and invalid
resources), and a flat if/then dispatch instead of the bisecting one.
The machine's load average is written down: on a shared machine the figures move a lot.
"""

from __future__ import annotations

import bz2
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jsonschema  # noqa: E402  (after the sys.path line, so `porch` imports from the repo)
import jsonschema_rs  # noqa: E402

from porch.record import validation  # noqa: E402

SYNTHEA = Path(os.environ.get("PORCH_SHARED_DATA") or REPO.parent / "shared" / "data") / "synthea"
LARGEST = "ff4188f6-12eb-419f-68a6-a0a245aa4b92.json.bz2"
RESULTS = REPO / "bench" / "results" / "validate.txt"
RUNS = 3
SAMPLE = 500  # resources, for the slow alternatives

Resource = dict[str, Any]


def load_resources() -> tuple[list[Resource], int]:
    resources: list[Resource] = []
    files = sorted(SYNTHEA.glob("*.json.bz2"))
    for path in files:
        with bz2.open(path, "rt", encoding="utf-8") as f:
            resources.extend(entry["resource"] for entry in json.load(f)["entry"])
    return resources, len(files)


def per_resource_us(check: Callable[[Resource], object], resources: list[Resource]) -> float:
    """Mean µs per resource over one pass."""
    start = time.perf_counter()
    for resource in resources:
        check(resource)
    return (time.perf_counter() - start) / len(resources) * 1e6


def median_of_runs(check: Callable[[Resource], object], resources: list[Resource]) -> float:
    return statistics.median(per_resource_us(check, resources) for _ in range(RUNS))


def latency_percentiles(resources: list[Resource]) -> tuple[float, float, float]:
    """p50, p99 and max µs of single validate_resource calls."""
    times = []
    for resource in resources:
        start = time.perf_counter()
        validation.validate_resource(resource)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)], times[-1]


def patched_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(validation._schema_path().read_text(encoding="utf-8"))
    refs = schema["definitions"]["ResourceList"]["oneOf"]
    validation._patch_schema(schema, [r["$ref"].rsplit("/", 1)[-1] for r in refs])
    required = json.loads(validation.REQUIRED_TABLE.read_text(encoding="utf-8"))["required"]
    validation._add_required(schema["definitions"], required)
    return schema


def cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "cpu n/a"
    models = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    return models[0] if models else "cpu n/a"


def flat_dispatch_schema() -> dict[str, Any]:
    """The patched schema with the first dispatch tried: one if/then per resource type."""
    schema = patched_schema()
    types = schema["definitions"]["ResourceList"]["properties"]["resourceType"]["enum"]
    schema["definitions"]["ResourceList"]["allOf"] = [
        {
            "if": {"required": ["resourceType"], "properties": {"resourceType": {"const": t}}},
            "then": {"$ref": f"#/definitions/{t}"},
        }
        for t in types
    ]
    for key in ("if", "then"):
        del schema["definitions"]["ResourceList"][key]
    return schema


def timed(action: Callable[[], object]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    resources, n_files = load_resources()
    sample = resources[:: max(1, len(resources) // SAMPLE)][:SAMPLE]
    lines = [
        f"date: {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"machine: nproc={len(os.sched_getaffinity(0))}, {platform.machine()}, {cpu_model()}",
        f"python {platform.python_version()}, jsonschema_rs {version('jsonschema_rs')}, "
        f"jsonschema {version('jsonschema')}",
        f"data: {len(resources)} resources from {n_files} Synthea bundles",
        "load average at start: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()),
        "",
    ]

    seconds, compiled = timed(validation._compile)
    validation._compiled = compiled
    lines.append(f"load + patch + compile (once per process): {seconds:.3f} s")
    schema = patched_schema()
    seconds, _ = timed(lambda: jsonschema_rs.validator_for(schema))
    lines.append(f"  of which jsonschema_rs.validator_for:   {seconds:.3f} s")

    invalid = sum(1 for r in resources if validation.validate_resource(r))
    full = median_of_runs(validation.validate_resource, resources)
    schema_pass = median_of_runs(compiled.validator.is_valid, resources)
    p50, p99, worst = latency_percentiles(resources)
    lines += [
        "",
        f"resources with issues: {invalid} (expected 0)",
        f"validate_resource, all resources (mean per resource, median of {RUNS} runs):",
        f"  {full:.1f} µs per resource = {1e6 / full:,.0f} resources/s on one core",
        f"  the compiled validator alone (is_valid), same runs: {schema_pass:.1f} µs",
        f"  single calls: p50 {p50:.1f} µs, p99 {p99:.1f} µs, max {worst:.0f} µs",
    ]

    with bz2.open(SYNTHEA / LARGEST, "rt", encoding="utf-8") as f:
        bundle = json.load(f)
    seconds, issues = timed(lambda: validation.validate_resource(bundle))
    lines.append(
        f"  whole bundle {LARGEST[:8]} ({len(bundle['entry'])} entries): {seconds * 1e3:.0f} ms"
    )
    assert issues == [], issues

    pure = jsonschema.Draft7Validator(schema)
    pure_us = median_of_runs(lambda r: list(pure.iter_errors(r)), sample)
    original = json.loads(validation._schema_path().read_text(encoding="utf-8"))
    one_of = jsonschema_rs.validator_for(original)
    one_of_us = median_of_runs(one_of.is_valid, sample)
    flat = jsonschema_rs.validator_for(flat_dispatch_schema())
    flat_us = median_of_runs(flat.is_valid, sample)
    ours = median_of_runs(validation.validate_resource, sample)
    schema_only = median_of_runs(compiled.validator.is_valid, sample)
    # One unknown element in each: what a client's mistake costs, and what it is told.
    broken = [{**r, "unknownElement": 1} for r in sample[:50]]
    ours_bad = median_of_runs(validation.validate_resource, broken)
    one_of_bad = median_of_runs(lambda r: list(one_of.iter_errors(r)), broken)
    told = next(iter(one_of.iter_errors(broken[0]))).message[-70:]
    lines += [
        "",
        f"alternatives on a fixed sample of {len(sample)} resources (mean µs per resource):",
        f"  validate_resource (jsonschema_rs, patched schema):     {ours:10.1f}",
        f"  pure-Python jsonschema, same patched schema:           {pure_us:10.1f}"
        f"  ({pure_us / ours:.0f}x slower)",
        f"  jsonschema_rs, unpatched schema (top-level oneOf):     {one_of_us:10.1f}",
        f"  schema pass alone, is_valid (bisecting dispatch):      {schema_only:10.1f}",
        f"  schema pass alone, flat allOf of 146 if/then:          {flat_us:10.1f}",
        f"same, first {len(broken)} with an unknown element added (mean µs per resource):",
        f"  validate_resource:                                     {ours_bad:10.1f}",
        f"  jsonschema_rs, unpatched schema (top-level oneOf):     {one_of_bad:10.1f}",
        f"    which says only: ...{told}",
    ]

    lines.append("load average at end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
