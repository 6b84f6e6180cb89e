"""The calendar feed page's one form: which button was pressed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

CREATE = "create"
REVOKE = "revoke"


class FeedForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(CREATE, _("Make a calendar feed")), (REVOKE, _("Turn off the calendar feed"))],
        error_messages={
            "required": _("Choose whether to make the calendar feed or turn it off."),
            "invalid_choice": _("Choose whether to make the calendar feed or turn it off."),
        },
    )
