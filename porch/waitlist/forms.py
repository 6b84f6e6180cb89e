"""Forms of the waitlist pages: they parse input; porch.waitlist.actions decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JoinForm(forms.Form):
    same_clinician = forms.BooleanField(
        label=_("Only with the same clinician"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
