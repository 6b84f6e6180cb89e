from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porch.chart.queries import Period


class DownloadForm(forms.Form):
    """What to download: all of the record or a date range, as FHIR JSON or a summary."""

    RANGE_CHOICES = [("all", _("All of my record")), ("dates", _("Only a date range"))]
    FORMAT_CHOICES = [
        ("json", _("FHIR R4 Bundle (JSON), for apps and other doctors")),
        ("html", _("Printable summary (HTML)")),
        ("pdf", _("Summary as a PDF file")),
    ]
    range = forms.ChoiceField(
        label=_("What to include"), choices=RANGE_CHOICES, initial="all", widget=forms.RadioSelect
    )
    start = forms.DateField(label=_("From (YYYY-MM-DD)"), required=False)
    end = forms.DateField(label=_("To (YYYY-MM-DD)"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMAT_CHOICES, initial="json", widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, pdf: bool = True, **kwargs: Any) -> None:
        """`pdf`: whether this server can make PDFs (porch.chart.pdf.available)."""
        super().__init__(*args, **kwargs)
        if not pdf:
            field = self.fields["format"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in self.FORMAT_CHOICES if c[0] != "pdf"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range") == "dates":
            start, end = data.get("start"), data.get("end")
            if start is None and end is None:
                raise forms.ValidationError(_("Give a start date, an end date, or both."))
            if start and end and start > end:
                raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def period(self) -> Period:
        if self.cleaned_data.get("range") != "dates":
            return Period()
        return Period(self.cleaned_data.get("start"), self.cleaned_data.get("end"))


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, birth date (YYYY-MM-DD) or identifier"), max_length=100, required=False
    )
