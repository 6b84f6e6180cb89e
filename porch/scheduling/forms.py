"""Forms of the scheduling pages: they parse input; porch.scheduling.actions decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.lib.text import no_controls
from porch.scheduling.models import VisitType

REASON_MAX = 300


class FindForm(forms.Form):
    """Filters of the open-slot search (GET). A malformed date is a form error."""

    visit_type = forms.ModelChoiceField(
        label=_("Visit type"),
        queryset=VisitType.objects.exclude(policy=VisitType.Policy.OFFLINE),
        to_field_name="slug",
        required=False,
        empty_label=_("Any"),
    )
    clinician = forms.ChoiceField(label=_("Clinician"), required=False)
    location = forms.ChoiceField(label=_("Location"), required=False)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("For example 2030-04-17"),
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
    )

    def __init__(
        self, *args: Any, clinicians: list[tuple[str, str]], locations: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["clinician"].choices = any_choice + clinicians  # type: ignore[attr-defined]
        self.fields["location"].choices = any_choice + [  # type: ignore[attr-defined]
            (place, place) for place in locations
        ]
        for name in ("visit_type", "clinician", "location"):
            self.fields[name].widget.attrs["class"] = "usa-select"


class ConfirmForm(forms.Form):
    # One random key per confirm page: a second submit of the same page books nothing new.
    key = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling?"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )

    def clean_reason(self) -> str:
        return no_controls(self.cleaned_data["reason"])
