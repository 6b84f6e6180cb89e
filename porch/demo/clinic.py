"""The demo clinic: Synthea's organizations and practitioners and a panel of 26 patients.

The data ships with Porch (porch/demo/data, Apache-2.0, see SOURCE.txt there), so the demo
needs nothing outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from porch.access.context import AccessContext
from porch.record import bundles, search
from porch.record.stored import StoredResource

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PATIENT_COUNT = 26


def demo_files() -> list[Path]:
    """Batch bundles (organizations, practitioners) first: patients refer to them."""
    return sorted(DATA_DIR.glob("*.json.bz2"), key=lambda p: (not p.name.startswith("0-"), p.name))


def is_loaded() -> bool:
    ctx = AccessContext.system(actor="system:demo", purpose="operations")
    result = search.search(ctx, "Patient", [("_summary", "count")])
    return (result.total or 0) >= DEMO_PATIENT_COUNT


# Synthea numbers every name ("Gerry91 Powlowski563") to keep generated people apart.
NUMBERED = re.compile(r"\d+")
PAGE = 500


def tidy_names() -> int:
    """Give the demo's patients and practitioners the names people have, without
    Synthea's numbers: a new version of each numbered one, all in one transaction Bundle.
    Returns how many changed."""
    ctx = AccessContext.system(actor="system:demo", purpose="operations")
    entries = []
    for resource_type in ("Patient", "Practitioner"):
        for stored in _every(ctx, resource_type):
            content = stored.content or {}
            tidy = [_tidy_name(name) for name in content.get("name") or []]
            if tidy != content.get("name"):
                entries.append(
                    {
                        "resource": {**content, "name": tidy},
                        "request": {"method": "PUT", "url": f"{resource_type}/{stored.id}"},
                    }
                )
    if entries:
        bundles.process(ctx, {"resourceType": "Bundle", "type": "transaction", "entry": entries})
    return len(entries)


def _every(ctx: AccessContext, resource_type: str) -> list[StoredResource]:
    found: list[StoredResource] = []
    while True:
        page = search.search(ctx, resource_type, [("_offset", str(len(found)))], default_count=PAGE)
        found.extend(page.matches)
        if not page.has_next:
            return found


def _tidy_name(name: dict[str, Any]) -> dict[str, Any]:
    tidy = dict(name)
    if "family" in name:
        tidy["family"] = NUMBERED.sub("", str(name["family"]))
    if "given" in name:
        tidy["given"] = [NUMBERED.sub("", str(g)) for g in name["given"]]
    if NUMBERED.search(str(name.get("text", ""))):
        del tidy["text"]  # pages build the name from its parts
    return tidy
