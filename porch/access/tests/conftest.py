from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from porch.access.tests.records import Cast, build_cast


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Sign-in rate limits live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The cast's nine accounts would take seconds to hash with the production hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()
