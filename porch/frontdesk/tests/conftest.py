from __future__ import annotations

import pytest

from porch.access.tests.records import Cast, build_cast
from porch.scheduling.tests.records import Clinic, build_clinic


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def clinic(cast: Cast) -> Clinic:
    return build_clinic()
