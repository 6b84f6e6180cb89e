from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from porch.access.tests.records import Cast, build_cast


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Sign-in rate limits live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()
