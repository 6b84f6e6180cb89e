"""The results tests' fixtures: the access cast with the results test data, and a clinic
that holds HIV test results for release."""

from __future__ import annotations

from typing import Any

import pytest

from porch.access.tests.records import Cast, build_cast
from porch.results.tests import data


@pytest.fixture
def cast(db: None) -> Cast:
    cast = build_cast()
    data.build_results()
    return cast


@pytest.fixture
def held(settings: Any) -> None:
    settings.RESULT_RELEASE_HELD_CODES = [data.HIV_CODE]
    settings.RESULT_AUTO_RELEASE_DAYS = 7
