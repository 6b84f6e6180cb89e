"""The Spanish catalogues, all of them together, as Django merges them."""

from __future__ import annotations

from datetime import date

from django.utils import translation
from django.utils.dateformat import format as format_date

SPANISH_MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]  # fmt: skip


def test_no_word_of_ours_overrides_a_month_name() -> None:
    # "May" the permission, once translated without a context as "Puede", turned every
    # 1 May into "1 de Puede de 2020".
    with translation.override("es"):
        for month, name in enumerate(SPANISH_MONTHS, start=1):
            assert format_date(date(2020, month, 1), "F") == name


def test_the_permission_may_keeps_its_own_spanish() -> None:
    with translation.override("es"):
        assert translation.pgettext("what a proxy is allowed to do", "May") == "Puede"
