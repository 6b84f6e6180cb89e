"""`{% waitlist_panel visit %}`: the waitlist part of the patient's appointment page
(scheduling/detail.html includes waitlist/_appointment.html): "Ask for an earlier time",
or being on the list with "Leave the waitlist", and any earlier time offered now."""

from __future__ import annotations

from typing import Any

from django import template

from porch.access.rules import request_context
from porch.scheduling.queries import Visit
from porch.waitlist import queries
from porch.waitlist.forms import JoinForm

register = template.Library()


@register.inclusion_tag("waitlist/_panel.html", takes_context=True)
def waitlist_panel(context: template.Context, visit: Visit) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not hasattr(request, "user") or not isinstance(visit, Visit):
        return {"panel": queries.Panel()}
    panel = queries.panel(request_context(request), visit)
    # Django passes the page's csrf_token on to an inclusion tag's template.
    return {"panel": panel, "visit": visit, "form": JoinForm()}
