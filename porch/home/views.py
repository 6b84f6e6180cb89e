"""The home page: a welcome for visitors; for people signed in, what needs attention."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from porch.access.rules import request_context
from porch.accounts.adapter import has_second_factor
from porch.accounts.models import PatientLink
from porch.accounts.roles import is_staff_member, roles_of
from porch.home import queries


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "accounts/welcome.html")
    context = {
        "roles": sorted(roles_of(user)),
        "is_staff_member": is_staff_member(user),
        "has_record": PatientLink.objects.filter(user_id=user.pk).exists(),
        "has_second_factor": has_second_factor(user),
        "attention": queries.attention(request_context(request), user.pk),
    }
    return render(request, "home/home.html", context)
