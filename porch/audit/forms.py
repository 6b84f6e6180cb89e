"""The staff audit report's filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from porch.audit.models import Action
from porch.audit.queries import ReportFilters


class ReportFilterForm(forms.Form):
    patient = forms.CharField(required=False, max_length=64, label="Patient id")
    user = forms.CharField(required=False, max_length=254, label="User (email or id)", strip=True)
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *Action.choices])
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    break_glass = forms.BooleanField(required=False, label="Break-the-glass only")

    def clean_user(self) -> int | None:
        value: str = self.cleaned_data["user"]
        if not value:
            return None
        if value.isdigit():
            return int(value)
        user_id = (
            get_user_model()
            .objects.filter(email__iexact=value)
            .values_list("pk", flat=True)
            .first()
        )
        if user_id is None:
            raise forms.ValidationError("No account has this email address.")
        return int(user_id)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The 'From' date is after the 'To' date.")
        return cleaned

    def filters(self) -> ReportFilters:
        """Precondition: the form is valid."""
        data = self.cleaned_data
        return ReportFilters(
            patient_id=data["patient"].strip(),
            user_id=data["user"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            break_glass_only=data["break_glass"],
        )
