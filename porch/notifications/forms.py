"""The notification settings form: channels per kind, phone number, quiet hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.notifications.kinds import Kind
from porch.notifications.sms import E164


class NotificationSettingsForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number for text messages"),
        help_text=_("With the country code, for example +15555550123."),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"class": "usa-input", "type": "tel", "autocomplete": "tel"}),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        help_text=_("For example 21:00. Emails and texts wait until quiet hours end."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "usa-input"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        help_text=_("For example 07:00."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "usa-input"}, format="%H:%M"),
    )

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[f"{kind.value}_email"] = forms.BooleanField(
                label=_("Email"), required=False
            )
            self.fields[f"{kind.value}_sms"] = forms.BooleanField(
                label=_("Text message"), required=False
            )

    def clean_phone(self) -> str:
        phone = "".join(c for c in str(self.cleaned_data.get("phone") or "") if c not in " -().")
        if phone and not E164.match(phone):
            raise forms.ValidationError(
                _("Enter the number with + and the country code, for example +15555550123.")
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both the start and the end of quiet hours."))
        wants_texts = any(data.get(f"{kind.value}_sms") for kind in self.kinds)
        if wants_texts and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Add a phone number to get text messages."))
        return data

    def rows(self) -> list[tuple[Kind, forms.BoundField, forms.BoundField]]:
        return [(k, self[f"{k.value}_email"], self[f"{k.value}_sms"]) for k in self.kinds]
