from __future__ import annotations

import pytest

from porch.access.tests.records import Cast, build_cast
from porch.medications.tests.records import build_medications
from porch.messaging.models import Pool
from porch.messaging.tests.records import build_pools


@pytest.fixture
def cast(db: None) -> Cast:
    built = build_cast()
    build_medications()
    return built


@pytest.fixture
def pools(cast: Cast) -> dict[str, Pool]:
    return build_pools(cast)
