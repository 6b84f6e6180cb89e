"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from porch.access.context import AccessContext


@pytest.fixture
def system_ctx() -> AccessContext:
    return AccessContext.system(actor="system:test", purpose="test")
