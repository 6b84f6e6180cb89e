"""Forms of the messaging pages: they parse input; porch.messaging.actions decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from porch.lib.text import no_controls
from porch.messaging.models import Status, Topic
from porch.messaging.queries import Recipient

SUBJECT_MAX = 150
MESSAGE_MAX = 10_000
NOTE_MAX = 4_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.Field):
    """Any number of files, passed on as they came: porch.messaging.attachments checks
    each (Django's own FileField would refuse an empty file without naming it)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "class": "usa-file-input",
                "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
            }
        )

    def clean(self, value: Any) -> list[UploadedFile[Any]]:
        items = value if isinstance(value, (list, tuple)) else [value]
        return [item for item in items if isinstance(item, UploadedFile)]


def _body_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 8}),
        error_messages={"required": _("Write a message before sending.")},
    )


class NewMessageForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Topic.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    recipient = forms.ChoiceField(label=_("To"), widget=forms.Select(attrs={"class": "usa-select"}))
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        error_messages={"required": _("Give your message a subject.")},
    )
    body = _body_field(_("Message"))
    attachments = AttachmentsField(
        label=_("Attach photos or PDFs (optional)"),
        help_text=_("JPEG, PNG or PDF files."),
    )
    private = forms.BooleanField(
        label=_("Keep this conversation private from my parents or guardians"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )

    def __init__(
        self, *args: Any, recipients: list[Recipient], may_mark_private: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recipients = {r.key: r for r in recipients}
        field = self.fields["recipient"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.key, r.label) for r in recipients]
        if not may_mark_private:
            del self.fields["private"]

    def clean_subject(self) -> str:
        return no_controls(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return no_controls(self.cleaned_data["body"])

    @property
    def chosen_recipient(self) -> Recipient:
        return self.recipients[self.cleaned_data["recipient"]]


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    attachments = AttachmentsField(label=_("Attach photos or PDFs (optional)"))

    def clean_body(self) -> str:
        return no_controls(self.cleaned_data["body"])


class StaffFilterForm(forms.Form):
    queue = forms.CharField(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    q = forms.CharField(
        label=_("Search by patient name or subject"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input", "type": "search"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Status.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Assign to"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Nobody")),
            *((u.pk, u.get_full_name() or u.email) for u in colleagues),
        ]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (the patient never sees it)"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )

    def clean_body(self) -> str:
        return no_controls(self.cleaned_data["body"])


class QuickReplyForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=80, widget=forms.TextInput(attrs={"class": "usa-input"})
    )
    body = forms.CharField(
        label=_("Words"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )

    def clean_body(self) -> str:
        return no_controls(self.cleaned_data["body"])
