"""API tokens for system clients (people and SMART apps come with later issues)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "porch_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough, and lookups stay one indexed equality.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a system client. Only its hash is stored."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, name: str) -> tuple[ApiToken, str]:
        """Create a token; the plain value is returned once and never stored."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(name=name, token_hash=hash_token(plain)), plain
