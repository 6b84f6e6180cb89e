"""The home tests use the results tests' cast and records."""

from __future__ import annotations

from porch.results.tests.conftest import cast

__all__ = ["cast"]
