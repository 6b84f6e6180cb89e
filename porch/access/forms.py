"""Forms of the access pages: they parse input; porch.access.actions decides."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.access.actions import ProxyRequest
from porch.access.models import ProxyGrant

# Names go into the record and onto pages: no control characters (CR, LF, ...).
_NAME_MAX = 100


def _clean_name(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise forms.ValidationError(_("Use letters, spaces and punctuation only."))
    return value.strip()


class SwitchRecordForm(forms.Form):
    patient = forms.CharField(max_length=64, required=False)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this chart?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. The privacy officer reviews every opening."),
    )


class ProxyInviteForm(forms.Form):
    email = forms.EmailField(label=_("Their email address"))
    given = forms.CharField(label=_("First name"), max_length=_NAME_MAX)
    family = forms.CharField(label=_("Last name"), max_length=_NAME_MAX)
    relationship = forms.ChoiceField(
        label=_("They are your"), choices=ProxyGrant.Relationship.choices
    )
    scope = forms.ChoiceField(label=_("They may"), choices=ProxyGrant.Scope.choices)
    ends_on = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}), required=True
    )

    def clean_given(self) -> str:
        return _clean_name(self.cleaned_data["given"])

    def clean_family(self) -> str:
        return _clean_name(self.cleaned_data["family"])

    def proxy_request(self, legal_basis: str = "") -> ProxyRequest:
        data = self.cleaned_data
        request = ProxyRequest(
            email=data["email"],
            given=data["given"],
            family=data["family"],
            relationship=data["relationship"],
            scope=data["scope"],
            ends_on=data["ends_on"],
        )
        return replace(request, legal_basis=legal_basis) if legal_basis else request


class ProxySetUpForm(ProxyInviteForm):
    """Staff: a parent of a minor or a legal guardian, with the basis recorded."""

    relationship = forms.ChoiceField(
        label=_("Relationship"),
        choices=[
            (ProxyGrant.Relationship.PARENT, ProxyGrant.Relationship.PARENT.label),
            (ProxyGrant.Relationship.GUARDIAN, ProxyGrant.Relationship.GUARDIAN.label),
        ],
    )
    ends_on = forms.DateField(
        label=_("Until (optional)"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        help_text=_('Required, e.g. "birth certificate seen" or "court order 2024-117".'),
    )

    def clean_legal_basis(self) -> str:
        return _clean_name(self.cleaned_data["legal_basis"])
