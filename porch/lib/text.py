"""Checks of free text people type (messages, notes, reasons) before it is stored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Line breaks and tabs are words' business; other control characters are not (and FHIR
# strings may not hold them).
_ALLOWED_CONTROLS = frozenset({"\n", "\r", "\t"})


def no_controls(value: str) -> str:
    """`value` unchanged. Raises forms.ValidationError when it holds a control character
    other than a line break or a tab."""
    if any((ord(c) < 32 and c not in _ALLOWED_CONTROLS) or ord(c) == 127 for c in value):
        raise forms.ValidationError(
            _("This contains control characters that cannot be stored. Remove them and try again.")
        )
    return value
