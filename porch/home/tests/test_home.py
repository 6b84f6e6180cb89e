"""The home page's "Needs your attention", through HTTP, with the access cast."""

from __future__ import annotations

from typing import Any

import pytest

from porch.access.tests.records import Cast
from porch.messaging.tests.records import build_pools, latest, write
from porch.results.tests import data
from porch.results.tests.test_pages import client_for, page

pytestmark = pytest.mark.django_db


def attention(text: str) -> str:
    start = text.index('data-testid="attention"')
    return text[start : text.index("</section>", start)]


def test_a_patient_sees_her_new_results_until_she_opens_them(cast: Cast) -> None:
    client = client_for(cast.ana)
    shown = attention(page(client, "/"))
    assert "Metabolic panel" in shown and "/results/panel/" in shown
    page(client, "/results/panel/")
    assert "Metabolic panel" not in attention(page(client, "/"))


def test_the_home_page_lists_three_new_results_and_links_to_the_rest(cast: Cast) -> None:
    data.reports_for("ana", 5)
    shown = attention(page(client_for(cast.ana), "/"))
    assert shown.count("/results/") - shown.count('href="/results/"') == 3
    assert "See all new results" in shown


def test_nothing_new_says_so(cast: Cast) -> None:
    client = client_for(cast.mallory)
    page(client, "/results/mallory-panel/")
    assert "Nothing needs your attention right now." in attention(page(client, "/"))


def test_a_parent_never_sees_the_teens_confidential_result_on_home(cast: Cast) -> None:
    shown = attention(page(client_for(cast.ben, "teo"), "/"))
    assert "Blood count" in shown
    assert "Chlamydia" not in shown
    assert "Chlamydia" in attention(page(client_for(cast.teo), "/"))  # Teo's own home has it


def test_the_home_page_shows_only_the_open_record(cast: Cast) -> None:
    shown = attention(page(client_for(cast.mallory), "/"))
    assert "Blood count" in shown
    assert "Metabolic panel" not in shown and "Chlamydia" not in shown


def test_staff_without_an_open_record_get_no_attention_section(cast: Cast) -> None:
    assert 'data-testid="attention"' not in page(client_for(cast.cruz), "/")


def test_the_attention_section_speaks_spanish(cast: Cast) -> None:
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    shown = attention(page(client_for(cast.ana), "/"))
    assert "Necesita su atención" in shown and "Resultados de pruebas nuevos" in shown


def test_home_makes_the_same_number_of_queries_for_3_or_40_results(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.ana)
    client.get("/")
    with django_assert_max_num_queries(100) as few:
        page(client, "/")
    counted = len(few)
    data.reports_for("ana", 40)
    with django_assert_max_num_queries(counted):
        page(client, "/")


def test_a_care_team_answer_shows_until_the_patient_reads_it(cast: Cast) -> None:
    build_pools(cast)
    ana = client_for(cast.ana)
    write(ana)
    conversation = latest()
    assert "Unread messages" not in attention(page(ana, "/"))  # her own words are not news
    client_for(cast.cruz).post(f"/staff/messages/{conversation.thread_id}/", {"body": "Hello"})
    shown = attention(page(ana, "/"))
    assert "answered in 1 conversation you have not read" in shown
    page(ana, f"/messages/{conversation.thread_id}/")
    assert "Unread messages" not in attention(page(ana, "/"))


def test_a_parent_is_not_told_of_an_answer_to_the_teens_private_message(cast: Cast) -> None:
    build_pools(cast)
    write(client_for(cast.teo), private="on")
    conversation = latest()
    assert conversation.confidential
    client_for(cast.cruz).post(f"/staff/messages/{conversation.thread_id}/", {"body": "Private"})
    assert "answered in 1 conversation" in attention(page(client_for(cast.teo), "/"))
    assert "Unread messages" not in attention(page(client_for(cast.ben, "teo"), "/"))
