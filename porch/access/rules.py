"""Who may see what: builds the AccessContext of a request from accounts, grants and age.

A missing rule denies: an unknown or unverified person gets AccessContext.nobody().
"""

from __future__ import annotations

from django.http import HttpRequest

from porch.access.context import AccessContext


def context_for_request(request: HttpRequest) -> AccessContext:
    """The access context of a signed-in person for this request (placeholder: nobody)."""
    return AccessContext.nobody()
