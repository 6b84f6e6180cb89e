"""Vital signs on the health summary: the latest values, and trends drawn on the server
with their values as a table, through HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import CONFIDENTIALITY, Cast
from porch.chart.tests.records import every_vital, vital, weight
from porch.chart.vitals import HEART_RATE, POINTS, WEIGHT

pytestmark = pytest.mark.django_db


def part(page: str, testid: str, nth: int = 0) -> str:
    """The `nth` element marked data-testid=`testid`, up to the end of its table/section."""
    starts = [m.start() for m in re.finditer(f'data-testid="{testid}"', page)]
    start = starts[nth]
    ends = [e for e in (page.find("</table>", start), page.find("</section>", start)) if e > 0]
    return page[start : min(ends)]


def trend_of(page: str, heading: str) -> str:
    start = page.index(f">{heading}</h3>")
    return page[start : page.index("</section>", start)]


def test_the_summary_shows_the_latest_vitals_and_a_trend_of_each(cast: Cast) -> None:
    every_vital("ana", 3)
    page = client_of(cast.ana).get("/summary/").content.decode()
    latest = part(page, "vitals-latest")
    for text in ("Blood pressure", "122/78 mmHg", "Weight", "72 kg", "24.5 kg/m²", "62 beats/min"):
        assert text in latest, text
    assert "120/80 mmHg" not in latest
    assert page.count('data-testid="vital-trend"') == 4

    pressure = trend_of(page, "Blood pressure over time")
    # Systolic and diastolic, each drawn, and one table of the readings, oldest first.
    assert pressure.count("<svg") == 2
    assert "Chart of Systolic (top number) over time" in pressure
    assert "Chart of Diastolic (bottom number) over time" in pressure
    table = part(pressure, "vital-table")
    assert "Blood pressure: all 3 values" in table
    assert table.index("120/80 mmHg") < table.index("121/79 mmHg") < table.index("122/78 mmHg")
    assert "Older values are not shown" not in pressure

    weights = trend_of(page, "Weight over time")
    assert weights.count("<svg") == 1
    # Axis labels: the unit, the lowest and highest values, the first and last dates.
    assert ">kg</text>" in weights and ">70</text>" in weights and ">72</text>" in weights
    assert ">05/01/1990</text>" in weights and ">05/01/1992</text>" in weights
    assert ">Date</text>" in weights
    assert "3 values, from 70 kg on May 1, 1990 to 72 kg on May 1, 1992" in weights
    assert 'role="img"' in weights


def test_a_vital_measured_once_has_its_value_but_no_chart(cast: Cast) -> None:
    weight("ana", 2020, 70)
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "70 kg" in part(page, "vitals-latest")
    assert 'data-testid="vital-trend"' not in page
    assert "<svg" not in page


def test_a_long_history_shows_the_latest_values_and_says_so(cast: Cast) -> None:
    for i in range(POINTS + 3):
        weight("ana", 1980 + i, 50 + i)
    page = client_of(cast.ana).get("/summary/").content.decode()
    weights = trend_of(page, "Weight over time")
    table = part(weights, "vital-table")
    assert f"Weight: the latest {POINTS} values" in table
    assert table.count("<tr>") == POINTS + 1  # the heading row
    assert f">{50 + POINTS + 2} kg<" in table  # the newest
    assert ">52 kg<" not in table  # the three oldest are left out
    assert f">{50 + 3} kg<" in table
    assert "Older values are not shown here" in weights


def test_a_reference_range_is_drawn_as_a_band_and_said_in_words(cast: Cast) -> None:
    normal = {"referenceRange": [{"low": {"value": 60}, "high": {"value": 100}}]}
    for year, rate in ((2020, 55), (2021, 72)):
        vital(
            "ana",
            HEART_RATE,
            f"{year}-01-01T10:00:00Z",
            valueQuantity={"value": rate, "unit": "/min"},
            interpretation=[{"coding": [{"code": "L" if rate < 60 else "N"}]}],
            **normal,
        )
    page = client_of(cast.ana).get("/summary/").content.decode()
    rates = trend_of(page, "Heart rate over time")
    assert "<rect" in rates
    assert "The shaded band is the normal range (60 to 100)." in rates
    assert "55 beats/min (Low)" in part(rates, "vital-table")  # the flag in words, not by colour


def test_units_are_written_as_people_write_them(cast: Cast) -> None:
    for year in (2020, 2021):
        vital(
            "ana",
            "85354-9",
            f"{year}-01-01T10:00:00Z",
            component=[
                {
                    "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                    "valueQuantity": {"value": value, "unit": "mm[Hg]", "code": "mm[Hg]"},
                }
                for code, value in (("8480-6", 118), ("8462-4", 79))
            ],
        )
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "118/79 mmHg" in part(page, "vitals-latest")
    assert "mm[Hg]" not in page


def test_values_entered_in_error_are_left_out(cast: Cast) -> None:
    weight("ana", 2020, 70)
    weight("ana", 2021, 71)
    weight("ana", 2022, 170, status="entered-in-error")
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "170 kg" not in page
    assert "71 kg" in part(page, "vitals-latest")


def test_vitals_are_in_spanish_with_numbers_written_the_spanish_way(cast: Cast) -> None:
    for year, kg in ((2020, 70.5), (2021, 72.25)):
        vital("ana", WEIGHT, f"{year}-03-01T10:00:00Z", valueQuantity={"value": kg, "unit": "kg"})
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    page = client_of(cast.ana).get("/summary/").content.decode()
    assert "Signos vitales" in page
    weights = trend_of(page, "Peso a lo largo del tiempo")
    assert "Peso: los 2 valores" in weights
    assert "1 de marzo de 2021" in weights
    assert "72,25 kg" in weights and "70,5 kg" in weights
    assert "72.25" not in weights.split("<table")[1]
    # The drawing's coordinates are SVG numbers, with a decimal point in every language.
    (points,) = re.findall(r'points="([^"]*)"', weights)
    assert re.fullmatch(r"\d+(\.\d+)?,\d+(\.\d+)?( \d+(\.\d+)?,\d+(\.\d+)?)+", points), points
    for attribute in re.findall(r' (?:cx|cy|x|y|x1|x2|y1|y2)="([^"]*)"', weights):
        assert re.fullmatch(r"-?\d+(\.\d+)?", attribute), attribute
    assert "Gráfica de Peso a lo largo del tiempo" in weights
    assert ">Fecha</text>" in weights


def test_the_summary_makes_the_same_queries_however_many_vitals_there_are(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    every_vital("ana", 2)
    ana = client_of(cast.ana)
    ana.get("/summary/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as small:
        assert ana.get("/summary/").status_code == 200
    every_vital("ana", POINTS + 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = ana.get("/summary/").content.decode()
    assert page.count('data-testid="vital-trend"') == 4
    assert f"Weight: the latest {POINTS} values" in page


def test_mallory_sees_none_of_anas_vitals(cast: Cast) -> None:
    weight("ana", 2020, 81)
    weight("ana", 2021, 82)
    weight("mallory", 2021, 60)
    mallory = client_of(cast.mallory)
    assert mallory.post("/records/open/", {"patient": "ana"}).status_code == 404
    page = mallory.get("/summary/").content.decode()
    assert "60 kg" in page
    assert "81 kg" not in page and "82 kg" not in page


def test_a_parent_does_not_see_a_teens_restricted_vital(cast: Cast) -> None:
    weight("teo", 2020, 55)
    weight("teo", 2021, 99, meta={"security": [{"system": CONFIDENTIALITY, "code": "R"}]})
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    page = ben.get("/summary/").content.decode()
    assert "55 kg" in page
    assert "99 kg" not in page
    teo = client_of(cast.teo).get("/summary/").content.decode()
    assert "99 kg" in teo
