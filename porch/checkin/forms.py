"""The check-in form: contact details, insurance, medications and allergies. (The visit
type's questions are a separate form, porch.checkin.questionnaire.QuestionnaireForm.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from porch.checkin.queries import Record
from porch.checkin.questionnaire import uswds

TAKING, STOPPED, UNSURE = "taking", "stopped", "unsure"
SAME, CHANGED, NONE = "same", "changed", "none"


def _still_choices() -> list[tuple[str, str]]:
    return [(TAKING, _("I still take it")), (STOPPED, _("I stopped")), (UNSURE, _("Not sure"))]


def _allergy_choices() -> list[tuple[str, str]]:
    return [
        (TAKING, _("Still allergic")),
        (STOPPED, _("Not allergic any more")),
        (UNSURE, _("Not sure")),
    ]


class CheckInForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=200, required=False)
    address = forms.CharField(
        label=gettext_lazy("Home address"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    insurance = forms.ChoiceField(
        label=gettext_lazy("Is your insurance the same?"),
        choices=[
            (SAME, gettext_lazy("Yes, it is the same")),
            (CHANGED, gettext_lazy("It changed")),
            (NONE, gettext_lazy("I have no insurance now")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether your insurance is the same.")},
    )
    insurance_details = forms.CharField(
        label=gettext_lazy("Your new insurance (company and member number)"),
        max_length=300,
        required=False,
    )
    new_medication = forms.CharField(
        label=gettext_lazy("A medicine you take that is not on this list (optional)"),
        max_length=300,
        required=False,
    )
    new_allergy = forms.CharField(
        label=gettext_lazy("An allergy that is not on this list (optional)"),
        max_length=300,
        required=False,
    )

    def __init__(self, record: Record, *args: Any, **kwargs: Any) -> None:
        initial = {"phone": record.phone, "email": record.email, "address": record.address}
        if not record.coverages:
            initial["insurance"] = NONE
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.record = record
        self.medication_fields = self._review(
            "medication",
            record.medications,
            _still_choices(),
            _("A medicine"),
            _("“%(name)s”: say whether you still take it."),
        )
        self.allergy_fields = self._review(
            "allergy",
            record.allergies,
            _allergy_choices(),
            _("An allergy"),
            _("“%(name)s”: say whether you are still allergic."),
        )
        uswds(self)

    def _review(
        self,
        prefix: str,
        entries: list[dict[str, Any]],
        choices: list[tuple[str, str]],
        unnamed: str,
        required: str,
    ) -> list[forms.BoundField]:
        """One required radio question per entry of the record, named <prefix>_<index>."""
        for index, entry in enumerate(entries):
            self.fields[f"{prefix}_{index}"] = forms.ChoiceField(
                label=entry["name"] or unnamed,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": required % {"name": entry["name"] or unnamed}},
            )
        return [self[f"{prefix}_{index}"] for index in range(len(entries))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("insurance") == CHANGED and not cleaned.get("insurance_details", "").strip():
            self.add_error(
                "insurance_details", _("Tell us your new insurance company and member number.")
            )
        return cleaned

    def reports(self) -> list[tuple[str, str, str, str]]:
        """(kind, about, subject, report) of every change the patient reported.
        Precondition: is_valid()."""
        data, record, out = self.cleaned_data, self.record, []
        for name, label in (("phone", _("Phone")), ("email", _("Email"))):
            new = data[name].strip()
            if new != getattr(record, name):
                out.append(("contact", "", str(label), new or _("(removed)")))
        if " ".join(data["address"].split()) != " ".join(record.address.split()):
            out.append(
                ("contact", "", _("Home address"), data["address"].strip() or _("(removed)"))
            )
        if data["insurance"] == CHANGED:
            out.append(("insurance", "", _("Insurance"), data["insurance_details"].strip()))
        elif data["insurance"] == NONE and record.coverages:
            for coverage in record.coverages:
                out.append(
                    ("insurance", f"Coverage/{coverage['id']}", coverage["name"], _("No longer"))
                )
        reviews = (
            (
                "medication",
                "MedicationRequest",
                record.medications,
                _still_choices(),
                _("I take this"),
            ),
            (
                "allergy",
                "AllergyIntolerance",
                record.allergies,
                _allergy_choices(),
                _("I am allergic"),
            ),
        )
        for kind, resource_type, entries, choices, added in reviews:
            words = dict(choices)
            for index, entry in enumerate(entries):
                answer = data[f"{kind}_{index}"]
                if answer != TAKING:
                    about = f"{resource_type}/{entry['id']}"
                    out.append((kind, about, entry["name"], str(words[answer])))
            if data[f"new_{kind}"].strip():
                out.append((kind, "", data[f"new_{kind}"].strip(), added))
        return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("dismiss", "dismiss")])
