"""Forms: sign-up with an optional activation code, and the staff enrolment pages."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from porch.accounts import actions
from porch.accounts.models import ActivationCode, User

# Names are one line of text: any run of whitespace or control characters (CR, LF, tab,
# NUL...) becomes one space, so a name can never start a new header or log line.
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")


def clean_name(value: str) -> str:
    return _CONTROL_OR_SPACE.sub(" ", value).strip()


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    """allauth's sign-up plus names and, optionally, an activation code and birth date.

    With a valid code and matching birth date the new account is linked to the patient's
    record in the same transaction as it is created; without a code it is linked to
    nothing until staff verify the person.
    """

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    activation_code = forms.CharField(
        label="Activation code",
        required=False,
        max_length=32,
        help_text="From your visit summary or the clinic's message, e.g. ACDE-FGHJ-KMNP. "
        "Leave empty if you have none: the clinic will verify you.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    birth_date = forms.DateField(
        label="Date of birth",
        required=False,
        help_text="Needed with an activation code.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "activation_code",
        "birth_date",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activation: ActivationCode | None = None

    def clean_first_name(self) -> str:
        return clean_name(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return clean_name(self.cleaned_data["last_name"])

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        code = (cleaned.get("activation_code") or "").strip()
        birth_date = cleaned.get("birth_date")
        if not code:
            return cleaned
        if birth_date is None:
            if "birth_date" not in self.errors:
                self.add_error("birth_date", "Enter your date of birth to use the code.")
            return cleaned
        request = context.request
        ip = get_adapter().get_client_ip(request) if request is not None else ""
        try:
            self.activation = actions.check_activation_code(code, birth_date, ip)
        except actions.EnrolmentRefused as exc:
            self.add_error("activation_code", str(exc))
        return cleaned

    def save(self, request: HttpRequest) -> User:
        user: User = super().save(request)
        if self.activation is not None:
            actions.do_enrol_with_code(user, self.activation)
        return user

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        """Creating the account and using the code happen together or not at all."""
        try:
            with transaction.atomic():
                user, response = super().try_save(request)
        except actions.EnrolmentRefused as exc:
            # Another request used the code between validation and saving.
            messages.error(request, str(exc))
            return None, HttpResponseRedirect(reverse("account_signup"))
        return user, response


class IssueCodeForm(forms.Form):
    patient_id = forms.CharField(label="Patient id", max_length=64)
    delivery = forms.ChoiceField(
        label="How the code reaches the patient",
        choices=ActivationCode.Delivery.choices,
        initial=ActivationCode.Delivery.PRINTED,
    )


class VerifyPatientForm(forms.Form):
    email = forms.EmailField(label="Email of the account to verify")
    patient_id = forms.CharField(label="Patient id", max_length=64)
    confirm = forms.BooleanField(
        label="I have checked this person's identity in person or by a trusted document.",
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("There is no account with that email.")
        return user
