"""Forms of the staff scheduling pages: they parse input; the scheduling actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.scheduling.forms import CancelForm, FindForm
from porch.scheduling.models import VisitType


class DayForm(forms.Form):
    """Which clinician's day (GET). A malformed date or unknown clinician is a form error."""

    clinician = forms.ChoiceField(label=_("Clinician"), required=False)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("For example 2030-04-17"),
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
    )

    def __init__(self, *args: Any, clinicians: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = clinicians  # type: ignore[attr-defined]
        self.fields["clinician"].widget.attrs["class"] = "usa-select"


class StaffFindForm(FindForm):
    """The patients' open-slot search, with every visit type: staff book request-only and
    offline ones too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit_type"].queryset = VisitType.objects.all()  # type: ignore[attr-defined]


class StaffCancelForm(CancelForm):
    """The patient's cancel form, asked of staff: the reason is shown to the patient."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for cancelling (the patient sees it)")
