"""Sign-in events in the audit log, from Django's and allauth's signals.

Connected in AuditConfig.ready(). A failed sign-in never records the password or the
email typed: only the id of the account it named, when such an account exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from porch.access.context import AccessContext
from porch.access.rules import actor_name
from porch.accounts.roles import roles_of
from porch.audit import log
from porch.audit.models import Action, Outcome

UNKNOWN_ACTOR = "unknown"


def client_ip(request: HttpRequest | None) -> str:
    """The address the request came from, as the web server saw it."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR") or "")


def context_for_account_event(request: HttpRequest | None, user: Any) -> AccessContext:
    """A context naming the person (or nobody) and where the request came from.

    It opens no record: sign-in events are about an account, not about health information.
    """
    ctx = AccessContext.nobody(UNKNOWN_ACTOR)
    if user is not None and getattr(user, "pk", None) is not None:
        roles = ",".join(sorted(roles_of(user)))
        name = actor_name(user)
        ctx = AccessContext(
            name, "account", frozenset(), False, False, user_id=user.pk, role=roles[:32]
        )
    return ctx.with_request(
        client_ip=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else ""),
    )


def _page(request: HttpRequest | None) -> str:
    return request.path if request is not None else ""


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log.record(context_for_account_event(request, user), Action.SIGN_IN, page=_page(request))


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out of no session
        return
    log.record(context_for_account_event(request, user), Action.SIGN_OUT, page=_page(request))


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    ctx = context_for_account_event(request, None)
    account = _account_named(credentials)
    if account is not None:
        # Only the account's id: the name stays out, the attempt may not be its owner's.
        ctx = AccessContext(
            UNKNOWN_ACTOR,
            "account",
            frozenset(),
            False,
            False,
            user_id=account,
            client_ip=ctx.client_ip,
            user_agent=ctx.user_agent,
        )
    log.record(ctx, Action.SIGN_IN_FAILED, outcome=Outcome.FAILED, page=_page(request))


def _account_named(credentials: dict[str, Any]) -> int | None:
    login = credentials.get("email") or credentials.get("username") or ""
    if not isinstance(login, str) or not login.strip():
        return None
    users = get_user_model().objects.filter(email__iexact=login.strip())
    return users.values_list("pk", flat=True).first()


def on_mfa_change(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    user = kwargs.get("user")
    log.record(context_for_account_event(request, user), Action.MFA_CHANGE, page=_page(request))


def connect() -> None:
    from allauth.mfa import signals as mfa_signals

    user_logged_in.connect(on_logged_in, dispatch_uid="porch.audit.sign_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="porch.audit.sign_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="porch.audit.sign_in_failed")
    mfa = {
        "added": mfa_signals.authenticator_added,
        "removed": mfa_signals.authenticator_removed,
        "reset": mfa_signals.authenticator_reset,
    }
    for name, signal in mfa.items():
        signal.connect(on_mfa_change, dispatch_uid=f"porch.audit.mfa_{name}")
