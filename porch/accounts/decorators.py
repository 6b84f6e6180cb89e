"""View decorators: sensitive actions, and pages for staff only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from porch.accounts.roles import is_staff_member

View = TypeVar("View", bound=Callable[..., HttpResponse])


def sensitive(view: View) -> View:
    """For sensitive actions (proxy grants, record downloads, exports, app authorization).

    Anonymous visitors go to sign-in; a signed-in person who has not entered their
    password or second factor in the last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds is sent
    to allauth's re-authentication page and comes back here after. Applies to GET too,
    since a download is a GET.
    """
    return login_required(reauthentication_required(view))  # type: ignore[no-any-return]


def staff_required(view: View) -> View:
    """Signed in, and holding a clinician, front-desk or administrator role.

    Anyone else gets 404, the same answer as for a page that does not exist.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise Http404()
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]
