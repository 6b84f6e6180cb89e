"""Where the shared test material lives (see its README): `../shared/data` beside the
repository, where CI puts it, or the folder PORCH_SHARED_DATA names."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("PORCH_SHARED_DATA") or REPOSITORY.parent / "shared" / "data")
EXAMPLES = SHARED_DATA / "fhir-r4-examples" / "clinical"
SYNTHEA = SHARED_DATA / "synthea"
