"""The demo clinic: Synthea's organizations and practitioners and a panel of 26 patients.

The data ships with Porch (porch/demo/data, Apache-2.0, see SOURCE.txt there), so the demo
needs nothing outside the repository.
"""

from __future__ import annotations

from pathlib import Path

from porch.access.context import AccessContext
from porch.record import search

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PATIENT_COUNT = 26


def demo_files() -> list[Path]:
    """Batch bundles (organizations, practitioners) first: patients refer to them."""
    return sorted(DATA_DIR.glob("*.json.bz2"), key=lambda p: (not p.name.startswith("0-"), p.name))


def is_loaded() -> bool:
    ctx = AccessContext.system(actor="system:demo", purpose="operations")
    result = search.search(ctx, "Patient", [("_summary", "count")])
    return (result.total or 0) >= DEMO_PATIENT_COUNT
