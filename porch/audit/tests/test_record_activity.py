""" "Who has looked at my record": a patient reads, in plain words, every event about the
record they have open; a proxy reads it within their scope; nobody else reads it."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from porch.access.context import AccessContext
from porch.access.rules import SESSION_KEY
from porch.accounts.models import User
from porch.audit import log, wording
from porch.audit.models import Action, AuditEvent
from porch.audit.tests.conftest import Cast, signed_in

pytestmark = pytest.mark.django_db
URL = reverse("audit:my_record_log")


def _as(user: User, role: str, patient_ids: set[str], **extra: object) -> AccessContext:
    ctx = AccessContext.for_patients(user.get_full_name(), frozenset(patient_ids), purpose="x")
    return replace(ctx, user_id=user.pk, role=role, client_ip="198.51.100.4", **extra)  # type: ignore[arg-type]


# " on <date> at <time>" in English, " el <date> a las <time>" in Spanish.
MOMENT = re.compile(r" (on [A-Z].+? at |el \d{1,2} de .+? a las )[^(]+?(?= \(|$)")


def _without_moment(line: str) -> str:
    assert MOMENT.search(line), line
    return MOMENT.sub("", line)


def _lines(response: object) -> list[str]:
    assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
    return [str(line) for line in response.context["lines"]]  # type: ignore[attr-defined]


def test_a_patient_reads_who_looked_at_their_record_newest_first(cast: Cast) -> None:
    ana = cast.ana_id
    log.record(
        AccessContext.system("system:import", audited=True), Action.IMPORT, [log.Access(ana)]
    )
    log.record(
        _as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Condition", "c1")]
    )
    log.record(_as(cast.ben, "proxy", {ana}), Action.SEARCH, [log.Access(ana, "Observation")])
    glass = _as(cast.diaz, "clinician", {ana}, break_glass=frozenset({ana}))
    log.record(glass, Action.BREAK_GLASS, [log.Access(ana)])
    log.record(glass, Action.READ, [log.Access(ana, "Observation", "o1")])
    log.record(_as(cast.ana, "patient", {ana}), Action.DOWNLOAD, [log.Access(ana)])

    lines = _lines(signed_in(cast.ana).get(URL))
    assert [_without_moment(line) for line in lines] == [
        "You downloaded your record",
        "Dan Diaz (clinician) viewed a result in your record (emergency access)",
        "Dan Diaz (clinician) opened your record in an emergency (break the glass)",
        "Ben Alvarez (your proxy) searched for results in your record",
        "Ada Cruz (clinician) viewed a condition in your record",
        "Porch imported entries into your record",
    ]
    event = AuditEvent.objects.filter(patient_id=ana).latest("at")
    local = timezone.localtime(event.at)
    # The date as English writes it ("Nov. 21, 2026", "Sept.", "March"), a.m. or p.m.
    day = rf"{local:%b}[a-z]*\.? {local.day}, {local.year}"
    clock = r"\d{1,2}(:\d\d)? [ap]\.m\.|noon|midnight"
    assert re.search(rf" on ({day}) at ({clock})$", lines[0]), lines[0]


def test_the_page_never_shows_where_a_look_came_from(cast: Cast) -> None:
    ana = cast.ana_id
    log.record(
        _as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Condition", "c1")]
    )
    response = signed_in(cast.ana).get(URL)
    assert b"198.51.100.4" not in response.content


def test_a_patient_does_not_see_events_about_someone_else(cast: Cast) -> None:
    mallory = cast.mallory_id
    log.record(
        _as(cast.cruz, "clinician", {mallory}),
        Action.READ,
        [log.Access(mallory, "Condition", "m1")],
    )
    assert _lines(signed_in(cast.ana).get(URL)) == []
    assert len(_lines(signed_in(cast.mallory).get(URL))) == 1


def test_the_page_is_paginated(cast: Cast) -> None:
    ana = cast.ana_id
    cruz = _as(cast.cruz, "clinician", {ana})
    log.record(cruz, Action.READ, [log.Access(ana, "Condition", f"c{i}") for i in range(30)])
    client = signed_in(cast.ana)
    assert len(_lines(client.get(URL))) == 25
    assert len(_lines(client.get(URL, {"page": "2"}))) == 5


def test_the_page_makes_the_same_number_of_queries_for_few_or_many_events(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    ana = cast.ana_id
    log.record(_as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Condition")])
    client = signed_in(cast.ana)
    client.get(URL)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as few:
        assert len(_lines(client.get(URL))) == 1
    # Forty more, by four people: still one page of names to read.
    for user, role in ((cast.cruz, "clinician"), (cast.diaz, "clinician"), (cast.ben, "proxy")):
        log.record(
            _as(user, role, {ana}),
            Action.READ,
            [log.Access(ana, "Observation", f"o{i}") for i in range(10)],
        )
    for _ in range(10):
        log.record(_as(cast.ana, "patient", {ana}), Action.DOWNLOAD, [log.Access(ana)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_lines(client.get(URL))) == 25


def _open(client: Client, patient_id: str) -> Client:
    session = client.session
    session[SESSION_KEY] = patient_id
    session.save()
    return client


def test_a_parent_sees_a_teens_log_without_their_confidential_entries(cast: Cast) -> None:
    teo = cast.teo_id
    cruz = _as(cast.cruz, "clinician", {teo})
    log.record(cruz, Action.READ, [log.Access(teo, "Condition", cast.teo_visible)])
    log.record(cruz, Action.READ, [log.Access(teo, "Condition", cast.teo_confidential)])

    teen_view = _lines(signed_in(cast.teo).get(URL))
    assert len(teen_view) == 2
    parent_view = _lines(_open(signed_in(cast.ben), teo).get(URL))
    assert [_without_moment(line) for line in parent_view] == [
        "Ada Cruz (clinician) viewed a condition in the record"
    ]
    shown = _open(signed_in(cast.ben), teo).get(URL).context["page"]
    assert [e.resource_id for e in shown] == [cast.teo_visible]


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["cruz", "diaz", "alma"])
def test_staff_without_an_own_record_find_no_such_page(cast: Cast, who: str) -> None:
    log.record(_as(cast.cruz, "clinician", {cast.ana_id}), Action.READ, [log.Access(cast.ana_id)])
    response = signed_in(getattr(cast, who)).get(URL)
    assert response.status_code == 404


def test_reading_the_page_writes_no_read_of_the_record(cast: Cast) -> None:
    signed_in(cast.ana).get(URL)
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


# --- in Spanish ---------------------------------------------------------------------------

MESES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def _in_spanish(user: User) -> Client:
    user.language = "es"  # the language stored on the account (porch.i18n)
    user.save(update_fields=["language"])
    return signed_in(user)


def test_the_page_in_spanish_says_each_look_in_a_spanish_sentence(cast: Cast) -> None:
    ana = cast.ana_id
    log.record(_as(cast.ana, "patient", {ana}), Action.PROXY_GRANT, [log.Access(ana)])
    log.record(_as(cast.ben, "proxy", {ana}), Action.DOWNLOAD, [log.Access(ana)])
    log.record(
        _as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Observation", "o1")]
    )
    response = _in_spanish(cast.ana).get(URL)
    assert "Quién ha visto mi registro" in response.content.decode()
    lines = _lines(response)
    assert [_without_moment(line) for line in lines] == [
        "Ada Cruz (profesional de la salud) vio un resultado en su registro",
        "Ben Alvarez (su representante) descargó su registro",
        "Usted dio a alguien acceso como representante a su registro",
    ]
    local = timezone.localtime(AuditEvent.objects.filter(patient_id=ana).latest("at").at)
    month = MESES[local.month - 1]
    for line in lines:
        assert re.search(rf" el {local.day} de {month} de {local.year} a las \d\d:\d\d$", line)


def test_a_proxy_reads_spanish_sentences_about_the_record_with_emergency_access(
    cast: Cast,
) -> None:
    teo = cast.teo_id
    glass = _as(cast.diaz, "clinician", {teo}, break_glass=frozenset({teo}))
    log.record(glass, Action.READ, [log.Access(teo, "Condition", cast.teo_visible)])
    lines = _lines(_open(_in_spanish(cast.ben), teo).get(URL))
    assert [_without_moment(line) for line in lines] == [
        "Dan Diaz (profesional de la salud) vio una afección en el registro (acceso de emergencia)"
    ]


@pytest.mark.parametrize("own_record", [True, False])
def test_every_sentence_and_word_of_the_page_has_its_spanish(own_record: bool) -> None:
    templates = [*wording.SENTENCES.values(), wording.OTHER]
    words = [*wording.TYPE_WORDS.values(), wording.ENTRY_WORDS]
    with translation.override("en"):
        english = [str(t[0 if own_record else 1]) for t in templates]
        english_words = [str(w) for pair in words for w in pair]
        english_roles = [str(r) for r in wording.ROLE_WORDS.values()]
    with translation.override("es"):
        spanish = [str(t[0 if own_record else 1]) for t in templates]
        spanish_words = [str(w) for pair in words for w in pair]
        spanish_roles = [str(r) for r in wording.ROLE_WORDS.values()]
    assert len(wording.SENTENCES) == len(Action) - 4  # all but the sign-in and MFA events
    for en, es in zip(english, spanish, strict=True):
        assert es != en and " el %(date)s a las %(time)s" in es, en
    for en, es in zip(english_words, spanish_words, strict=True):
        # "personal details" is the same word for one or many.
        assert es != en, en
    assert [r for en, r in zip(english_roles, spanish_roles, strict=True) if r == en] == []


def test_a_clinician_reading_check_in_reports_is_told_in_words(cast: Cast) -> None:
    ana = cast.ana_id
    cruz = _as(cast.cruz, "clinician", {ana})
    log.record(cruz, Action.READ, [log.Access(ana, "ReportedChange", "7")])
    lines = _lines(signed_in(cast.ana).get(URL))
    assert [_without_moment(line) for line in lines] == [
        "Ada Cruz (clinician) viewed a change reported at check-in in your record"
    ]
