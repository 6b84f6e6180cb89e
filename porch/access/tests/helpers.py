"""Small helpers shared by the access tests."""

from __future__ import annotations

from typing import Any

import orjson
from django.test import Client


def fhir(client: Client, path: str) -> tuple[int, Any]:
    response = client.get(path)
    payload = orjson.loads(response.content) if response.content else None
    return response.status_code, payload


def ids(bundle: dict[str, Any]) -> set[str]:
    return {
        e["resource"]["id"]
        for e in bundle.get("entry", [])
        if e.get("search", {}).get("mode", "match") == "match"
    }


def total(client: Client, query: str) -> int:
    status, bundle = fhir(client, f"{query}{'&' if '?' in query else '?'}_summary=count")
    assert status == 200, bundle
    return int(bundle["total"])


def client_of(user: object) -> Client:
    """A browser signed in as `user` (sign-in itself is not under test here)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client
