"""Forms of the scheduling pages: they parse input; porch.scheduling.actions decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.lib.text import no_controls
from porch.scheduling import actions
from porch.scheduling.models import Slot, VisitType
from porch.scheduling.request_actions import Words

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


TIMES_MAX = 200
NOTE_MAX = 1000


class RequestForm(forms.Form):
    """A request for a visit type staff book (its slug comes with the page)."""

    visit_type = forms.ModelChoiceField(
        queryset=VisitType.objects.all(),
        to_field_name="slug",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a visit type from the appointments page."),
            "invalid_choice": _("Choose a visit type from the appointments page."),
        },
    )
    clinician = forms.ChoiceField(
        label=_("Preferred clinician (optional)"),
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("Choose one of the clinicians listed, or Anyone.")},
    )
    times = forms.CharField(
        label=_("Days and times that suit you (optional)"),
        help_text=_("For example: Tuesday or Thursday mornings"),
        required=False,
        max_length=TIMES_MAX,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    note = forms.CharField(
        label=_("What is the visit about? (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )
    # One random key per request page: a second submit of the same page asks nothing new.
    key = forms.CharField(
        max_length=64,
        widget=forms.HiddenInput,
        error_messages={"required": _("This page is out of date. Open it again and send it.")},
    )

    def __init__(self, *args: Any, clinicians: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [("", _("Anyone")), *clinicians]  # type: ignore[attr-defined]

    def clean_times(self) -> str:
        return no_controls(self.cleaned_data["times"]).strip()

    def clean_note(self) -> str:
        return no_controls(self.cleaned_data["note"]).strip()

    def words(self) -> Words:
        data = self.cleaned_data
        return Words(practitioner_id=data["clinician"], times=data["times"], note=data["note"])


class StaffBookForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can the clinic not book it? The patient reads this."),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )

    def clean_reason(self) -> str:
        return no_controls(self.cleaned_data["reason"]).strip()


Done = TypeVar("Done")


def attempt(form: forms.Form, change: Callable[[], Done]) -> tuple[Done | None, int, list[Slot]]:
    """Run a booking change submitted with `form`: (its result, 200, []) or, when it is
    refused, (None, the refusal's status, the next openings if someone was quicker), the
    reason added to the form's errors for the page to show."""
    try:
        return change(), 200, []
    except actions.SlotTaken as taken:
        form.add_error(None, taken.reason)
        return None, taken.status, taken.openings
    except actions.BookingRefused as refusal:
        form.add_error(None, refusal.reason)
        return None, refusal.status, []
