"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from porch.access.context import AccessContext

pytest_plugins = ["porch.tests.browser"]


@pytest.fixture
def system_ctx() -> AccessContext:
    return AccessContext.system(actor="system:test", purpose="test")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Rate-limit counters, lock-outs and used TOTP codes live in the cache: start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The production hasher is slow on purpose; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
