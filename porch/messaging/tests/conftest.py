from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from porch.access.tests.records import Cast, build_cast
from porch.messaging.models import Pool
from porch.messaging.tests.records import build_pools


@pytest.fixture
def attachment_dir(settings: Any) -> Path:
    """The test's own folder (porch/conftest.py puts every test's files there)."""
    folder: Path = settings.MESSAGE_ATTACHMENT_DIR
    return folder


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def pools(cast: Cast) -> dict[str, Pool]:
    return build_pools(cast)
