"""Forms of the refill pages: they parse input; porch.medications.actions decides."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.lib.text import no_controls
from porch.medications import actions, resources
from porch.medications.models import RefillStatus
from porch.medications.queries import Pharmacy


class RefillForm(forms.Form):
    pharmacy = forms.ChoiceField(
        label=_("Pharmacy"),
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={
            "required": _("Choose the pharmacy that should fill it."),
            "invalid_choice": _("Choose one of the pharmacies listed."),
        },
    )
    note = forms.CharField(
        label=_("Note for your care team (optional)"),
        required=False,
        max_length=actions.NOTE_MAX,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )
    # One submission, one request: a double-click sends the same key twice.
    form_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, pharmacies: list[Pharmacy], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_key", str(uuid.uuid4()))
        if pharmacies:
            kwargs["initial"].setdefault("pharmacy", pharmacies[0].id)
        super().__init__(*args, **kwargs)
        self.pharmacies = {p.id: p for p in pharmacies}
        field: forms.ChoiceField = self.fields["pharmacy"]  # type: ignore[assignment]
        field.choices = [
            (p.id, f"{p.name} — {p.address}" if p.address else p.name) for p in pharmacies
        ]

    def clean_note(self) -> str:
        return no_controls(self.cleaned_data["note"])

    def chosen_pharmacy(self) -> Pharmacy:
        return self.pharmacies[self.cleaned_data["pharmacy"]]


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (actions.APPROVE, _("Approve: send a new prescription")),
            (actions.DENY, _("Deny")),
            (actions.VISIT, _("Visit needed: ask the patient to book one")),
        ],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    dosage_text = forms.CharField(
        label=_("How to take it (leave blank to keep it)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    quantity = forms.IntegerField(
        label=_("Quantity (leave blank to keep it)"),
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.NumberInput(attrs={"class": "usa-input"}),
    )
    refills = forms.IntegerField(
        label=_("Refills allowed (leave blank to keep it)"),
        required=False,
        min_value=0,
        max_value=99,
        widget=forms.NumberInput(attrs={"class": "usa-input"}),
    )
    reason = forms.CharField(
        label=_("Reason the patient reads (for a denial or a visit)"),
        required=False,
        max_length=actions.REASON_MAX,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )
    visit_type = forms.SlugField(
        label=_("Visit type to book"),
        required=False,
        max_length=40,
        initial="follow-up",
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )

    def clean_dosage_text(self) -> str:
        return no_controls(self.cleaned_data["dosage_text"])

    def clean_reason(self) -> str:
        return no_controls(self.cleaned_data["reason"])

    def answer(self) -> actions.Answer:
        data = self.cleaned_data
        return actions.Answer(
            decision=data["decision"],
            reason=data.get("reason") or "",
            visit_type=data.get("visit_type") or "follow-up",
            changes=resources.Changes(
                dosage_text=(data.get("dosage_text") or "").strip(),
                quantity=data.get("quantity"),
                refills=data.get("refills"),
            ),
        )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[*RefillStatus.choices, ("", _("All"))],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
