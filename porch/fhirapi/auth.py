"""Who is calling the FHIR API: one access context per request, or a 401.

`access_context_for` asks each authenticator in turn. An authenticator returns None when
the request carries none of its credentials, so the next one may try; it raises
Unauthorized when it recognises its credentials and they are bad, so a bad token never
falls through to a weaker way in. When none answers, the request is refused: a missing
rule denies. Bearer tokens come first; then people signed in to the portal (their session),
who get the same access context as on every page (porch.access.rules). SMART apps (OAuth
access tokens) are added later as another authenticator returning a narrower context.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.rules import request_context
from porch.fhirapi.models import ApiToken, hash_token
from porch.fhirapi.responses import HttpError

REALM = 'Bearer realm="porch"'
# last_used_at is for operators ("is this token still in use?"); a minute's precision is
# plenty, and it spares a write on every request of a busy client.
LAST_USED_PRECISION = timedelta(minutes=1)

Authenticator = Callable[[HttpRequest], AccessContext | None]


class Unauthorized(HttpError):
    """No valid credentials: 401, with the challenge RFC 6750 asks for."""

    def __init__(self, diagnostics: str):
        super().__init__(401, "login", diagnostics, headers={"WWW-Authenticate": REALM})


def bearer_token(request: HttpRequest) -> AccessContext | None:
    """A system context for an active API token in `Authorization: Bearer <token>`.

    Returns None without an Authorization header. Raises Unauthorized for another
    scheme, or a token that is unknown or revoked (one message for both, so a caller
    cannot probe which tokens once existed).
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, plain = header.partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'")
    token = ApiToken.objects.filter(token_hash=hash_token(plain.strip()), revoked_at=None).first()
    if token is None:
        raise Unauthorized("The bearer token is not valid (unknown or revoked)")
    _note_use(token)
    return AccessContext.system(actor=f"api-token:{token.name}", purpose="system-api", audited=True)


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    # Conditional, so concurrent requests of one client write the row at most once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at=None) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)


def session_user(request: HttpRequest) -> AccessContext | None:
    """The portal's access context of a signed-in person (request.access), or None.

    The API views are exempt from CSRF checks because tokens cannot be forged across
    sites; a session cookie can, so a change made with one must pass the same CSRF check
    as a form (the X-CSRFToken header). Raises Forbidden when it does not.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method not in _SAFE_METHODS:
        refusal = CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {})
        if refusal is not None:
            raise HttpError(403, "forbidden", "A change made with a session needs its CSRF token")
    return request_context(request)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _no_response(request: HttpRequest) -> HttpResponse:
    raise AssertionError("never called: only the CSRF check of the middleware is used")


AUTHENTICATORS: tuple[Authenticator, ...] = (bearer_token, session_user)


def access_context_for(request: HttpRequest) -> AccessContext:
    """The access context of the caller. Raises Unauthorized when no authenticator accepts it."""
    for authenticate in AUTHENTICATORS:
        ctx = authenticate(request)
        if ctx is not None:
            return ctx
    raise Unauthorized("Authentication is required: send 'Authorization: Bearer <token>'")
