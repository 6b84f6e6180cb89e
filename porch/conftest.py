"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
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


@pytest.fixture(autouse=True)
def files_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    """Files Porch writes (message attachments) go to the test's own folder, not var/."""
    settings.MESSAGE_ATTACHMENT_DIR = tmp_path / "message-attachments"


# Rows that data migrations put in every database. A transactional test (browser tests,
# the demo) ends with a flush that empties every table, these included; pytest-django runs
# such tests last, so each of them puts the rows back first. The seeds are idempotent.
SEEDS = (
    ("porch.access.migrations.0004_seed_confidential_codes", "seed"),
    ("porch.audit.migrations.0002_chain_head", "create_head"),
)


@pytest.fixture(autouse=True)
def seeded_rows(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    for module, function in SEEDS:
        getattr(import_module(module), function)(django_apps, None)
