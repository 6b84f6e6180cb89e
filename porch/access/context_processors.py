"""Template context: whose record is open, so every page can say it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def open_record(request: HttpRequest) -> dict[str, Any]:
    return {"open_record": None}
