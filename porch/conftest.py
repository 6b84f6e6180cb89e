"""Fixtures shared by every app's tests."""

from __future__ import annotations

from typing import Any

import pytest

from porch.access.context import AccessContext

pytest_plugins = ["porch.tests.browser"]


@pytest.fixture
def system_ctx() -> AccessContext:
    return AccessContext.system(actor="system:test", purpose="test")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The production hasher is slow on purpose; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
