from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from porch.accounts.roles import roles_of

register = template.Library()


@register.simple_tag
def session_idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES * 60)


@register.simple_tag(takes_context=True)
def user_roles(context: dict[str, Any]) -> frozenset[str]:
    """The signed-in person's role values ("patient", "clinician", ...), for the navigation."""
    return frozenset(str(role.value) for role in roles_of(context.get("user")))


@register.simple_tag(takes_context=True)
def nav_link(context: dict[str, Any], url_name: str, label: str) -> SafeString:
    """A primary-navigation link, marked as the current page when it is."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == url_name:
        return format_html(
            '<a class="usa-nav-link usa-current" href="{}" aria-current="page"><span>{}</span></a>',
            reverse(url_name),
            label,
        )
    return format_html(
        '<a class="usa-nav-link" href="{}"><span>{}</span></a>', reverse(url_name), label
    )
