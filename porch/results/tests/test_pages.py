"""The results pages, through HTTP, with the access cast and its records."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from porch.access.rules import SESSION_KEY
from porch.access.tests.records import Cast
from porch.accounts.models import User
from porch.audit.models import Action, AuditEvent
from porch.record import repository
from porch.results import display
from porch.results.models import ResultPreference, ResultRelease
from porch.results.plainlanguage import what_it_measures
from porch.results.queries import POINTS_PER_TREND
from porch.results.tests import data

pytestmark = pytest.mark.django_db


def client_for(user: User, record: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if record is not None:
        session = client.session
        session[SESSION_KEY] = record
        session.save()
    return client


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_reports_newest_first_marked_new(cast: Cast) -> None:
    text = page(client_for(cast.ana), "/results/")
    assert text.index("Metabolic panel") < text.index("Basic metabolic panel")
    assert text.count('data-testid="new"') == 3  # panel, bmp, hiv (nothing held)
    assert "Final" in text


def test_opening_a_report_marks_it_seen(cast: Cast) -> None:
    client = client_for(cast.ana)
    page(client, "/results/panel/")
    assert page(client, "/results/").count('data-testid="new"') == 2


def test_the_list_filters_by_kind(cast: Cast) -> None:
    data.report("ana", "24627-2", "Chest CT", data.at(3), [], "ct", section="RAD")
    client = client_for(cast.ana)
    assert "Chest CT" in page(client, "/results/?kind=imaging")
    assert "Metabolic panel" not in page(client, "/results/?kind=imaging")
    labs = page(client, "/results/?kind=lab")
    assert "Metabolic panel" in labs and "Chest CT" not in labs
    assert "Chest CT" not in page(client, "/results/?kind=other")


def test_the_list_makes_the_same_number_of_queries_for_3_or_30_reports(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    data.reports_for("mallory", 2)  # with mallory-panel: 3
    client = client_for(cast.mallory)
    client.get("/results/")  # warm up the session and caches
    with django_assert_max_num_queries(100) as few:
        assert page(client, "/results/").count('data-testid="new"') == 3
    counted = len(few)  # now: the next request resets Django's query log
    data.reports_for("elda", 30)
    client = client_for(cast.elda)
    client.get("/results/")
    with django_assert_max_num_queries(counted):
        assert page(client, "/results/").count('data-testid="new"') == 30


# --- a report ---------------------------------------------------------------------------


def test_a_report_shows_values_ranges_flags_in_words_and_what_each_test_measures(
    cast: Cast,
) -> None:
    text = page(client_for(cast.ana), "/results/panel/")
    assert "110.5 mg/dL" in text
    assert "70 to 99 mg/dL" in text
    assert ">High<" in text and ">Low<" in text and ">Normal<" in text
    assert "The amount of sugar in your blood" in text
    assert "Your sugar is a little high." in text


def test_a_corrected_value_says_what_changed(cast: Cast) -> None:
    text = page(client_for(cast.ana), "/results/bmp/")
    assert "Corrected" in text
    assert "Changed from 140 mmol/L to 135 mmol/L" in text


def test_a_repeated_test_has_a_chart_and_a_table(cast: Cast) -> None:
    text = page(client_for(cast.ana), "/results/panel/")
    assert text.count('data-testid="trend-chart"') == 1  # glucose only: 5 values
    assert 'role="img"' in text and "aria-labelledby=" in text
    table = text[text.index('data-testid="trend-table"') :]
    assert table.count("<tr>") == 6  # the head and five dates
    for value in ("92", "95", "101", "104", "110.5"):
        assert f"{value} mg/dL" in table


def test_spanish_formats_numbers_with_a_decimal_comma_and_explains_in_spanish() -> None:
    with translation.override("es"):
        assert display.value_of({"valueQuantity": {"value": 110.5, "unit": "mg/dL"}}) == (
            "110,5",
            "mg/dL",
        )
        assert str(display.FLAGS["H"]) == "Alto"
        assert what_it_measures("2345-7").startswith("La cantidad de azúcar")


def _trend_rows(text: str) -> int:
    """The rows of the glucose trend's table (the trends come after the report's values)."""
    return text[text.index('data-testid="trend-table"') :].count(" mg/dL</td>")


def test_a_report_makes_the_same_number_of_queries_for_a_short_or_long_history(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.ana)
    client.get("/results/panel/")  # warm up the session and caches
    with CaptureQueriesContext(connection) as short:
        assert _trend_rows(page(client, "/results/panel/")) == 5
    # Forty more glucose values, and twenty more reports elsewhere in the record.
    for n in range(40):
        data.create(data.observation("ana", "2345-7", "Glucose", 80 + n, "mg/dL", data.at(500 + n)))
    data.reports_for("ana", 20)
    with django_assert_max_num_queries(len(short.captured_queries)):
        text = page(client, "/results/panel/")
    assert _trend_rows(text) == POINTS_PER_TREND
    assert text.count('data-testid="trend-chart"') == 2  # hemoglobin now has a history too


# --- who may see it ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mallory", "diaz", "ben"])
def test_outsiders_get_404_on_anas_report(cast: Cast, who: str) -> None:
    client = client_for(getattr(cast, who), "ana")
    page(client, "/results/panel/", 404)
    assert "Metabolic panel" not in client.get("/results/").content.decode()


def test_a_missing_report_is_404(cast: Cast) -> None:
    page(client_for(cast.ana), "/results/nope/", 404)


def test_a_parent_does_not_see_a_teens_confidential_result(cast: Cast) -> None:
    client = client_for(cast.ben, "teo")
    text = page(client, "/results/")
    assert "Blood count" in text and "Chlamydia" not in text
    page(client, "/results/chlamydia/", 404)
    # Teo himself sees it.
    assert "Chlamydia" in page(client_for(cast.teo), "/results/")


# --- release ----------------------------------------------------------------------------


@pytest.mark.usefixtures("held")
def test_a_held_result_waits_for_the_clinician(cast: Cast) -> None:
    ana = client_for(cast.ana)
    assert "HIV test" not in page(ana, "/results/")
    page(ana, "/results/hiv/", 404)
    cruz = client_for(cast.cruz, "ana")
    assert 'data-testid="held"' in page(cruz, "/results/")
    text = page(cruz, "/results/hiv/")
    assert "Held — not yet visible to the patient" in text
    assert "Release to patient" in text

    response = cruz.post("/results/hiv/release/", {"comment": "Negative: nothing to do."})
    assert response.status_code == 302
    release = ResultRelease.objects.get(report_id="hiv")
    assert release.released_by == cast.cruz and release.patient_id == "ana"
    assert AuditEvent.objects.filter(
        action=Action.UPDATE,
        resource_type="DiagnosticReport",
        resource_id="hiv",
        user_id=cast.cruz.pk,
    ).exists()
    assert "HIV test" in page(ana, "/results/")
    assert "Negative: nothing to do." in page(ana, "/results/hiv/")
    assert "Held" not in page(cruz, "/results/hiv/")


@pytest.mark.usefixtures("held")
def test_only_a_clinician_caring_for_the_patient_releases(cast: Cast) -> None:
    assert client_for(cast.ana).post("/results/hiv/release/").status_code == 404
    assert client_for(cast.diaz, "ana").post("/results/hiv/release/").status_code == 404
    assert not ResultRelease.objects.exists()


@pytest.mark.usefixtures("held")
def test_releasing_a_result_that_is_not_held_is_refused(cast: Cast) -> None:
    assert client_for(cast.cruz, "ana").post("/results/panel/release/").status_code == 400


@pytest.mark.usefixtures("held")
def test_a_held_result_is_released_automatically_unless_the_patient_chose_to_wait(
    cast: Cast, settings: Any
) -> None:
    old = (timezone.now() - timedelta(days=8)).replace(microsecond=0).isoformat()
    stored = repository.read(data.system(), "DiagnosticReport", "hiv")
    content = {**(stored.content or {}), "issued": old, "effectiveDateTime": old}
    repository.update(data.system(), "DiagnosticReport", "hiv", content)
    ana = client_for(cast.ana)
    assert "HIV test" in page(ana, "/results/")

    response = ana.post("/results/preferences/", {"wait": [data.HIV_CODE]})
    assert response.status_code == 302
    assert ResultPreference.objects.get(patient_id="ana", token=data.HIV_CODE).after_release_only
    assert "HIV test" not in page(ana, "/results/")
    page(ana, "/results/hiv/", 404)


@pytest.mark.usefixtures("held")
def test_held_values_stay_out_of_a_patients_trend(cast: Cast) -> None:
    # A second HIV report: the held one must not feed the trend of the released one.
    data.create(
        data.observation("ana", data.HIV_CODE, "HIV test", 1, "1", data.at(30)), "hiv-old-obs"
    )
    data.report("ana", data.HIV_CODE, "HIV test", data.at(30), ["hiv-old-obs"], "hiv-old")
    ResultRelease.objects.create(report_id="hiv-old", patient_id="ana", released_at=timezone.now())
    text = page(client_for(cast.ana), "/results/hiv-old/")
    assert 'data-testid="trend-chart"' not in text


def test_preferences_are_for_the_patient_and_proxies_who_may_act(cast: Cast, settings: Any) -> None:
    settings.RESULT_RELEASE_HELD_CODES = [data.HIV_CODE]
    assert data.HIV_CODE in page(client_for(cast.ana), "/results/preferences/")
    assert (
        client_for(cast.ben, "teo")
        .post("/results/preferences/", {"wait": [data.HIV_CODE]})
        .status_code
        == 404
    )
    page(client_for(cast.cruz, "ana"), "/results/preferences/", 404)


def test_a_long_history_shows_the_most_recent_values_of_a_trend(cast: Cast) -> None:
    # 30 more glucose values, the oldest a year before the others.
    for n in range(30):
        days_ago = 400 + n if n < 10 else 40 + n
        data.create(
            data.observation("ana", "2345-7", "Glucose", 200 + n, "mg/dL", data.at(days_ago)),
            f"glucose-extra-{n}",
        )
    text = page(client_for(cast.ana), "/results/panel/")
    table = text[text.index('data-testid="trend-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == POINTS_PER_TREND + 1  # the head and the newest values
    assert "110.5 mg/dL" in table  # today's value is kept
    assert "209 mg/dL" not in table  # a value from more than a year ago is not
    # The words say what the table holds: the most recent values, not every one.
    assert f"Glucose: the {POINTS_PER_TREND} most recent values</caption>" in table
    assert "every value" not in text


def test_the_trend_table_says_how_many_recent_values_it_shows_in_spanish(cast: Cast) -> None:
    cast.ana.language = "es"  # the language stored on her account (porch.i18n)
    cast.ana.save(update_fields=["language"])
    text = page(client_for(cast.ana), "/results/panel/")
    assert "Glucose: los 5 valores más recientes</caption>" in text
    assert "todos los valores" not in text


def test_a_test_measured_less_often_than_the_rest_of_its_panel_keeps_its_trend(
    cast: Cast,
) -> None:
    # A hundred recent glucose values fill the first search; two old hemoglobin values
    # (with today's) are found by the second.
    for n in range(100):
        data.create(
            data.observation("ana", "2345-7", "Glucose", 90 + n % 9, "mg/dL", data.at(2 + n))
        )
    for days in (500, 600):
        data.create(data.observation("ana", "718-7", "Hemoglobin", 13, "g/dL", data.at(days)))
    text = page(client_for(cast.ana), "/results/panel/")
    assert "Hemoglobin: the 3 most recent values</caption>" in text
    assert f"Glucose: the {POINTS_PER_TREND} most recent values</caption>" in text


def test_chart_coordinates_have_no_decimal_comma_in_spanish(cast: Cast) -> None:
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    text = page(client_for(cast.ana), "/results/panel/")
    svg = text[text.index('data-testid="trend-chart"') : text.index("</svg>")]
    coordinates = re.findall(r' (?:cx|cy|x|y|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates)
    assert "110,5" in text  # while the values people read keep the Spanish decimal comma
