"""The statistical guardrails on the pages: a person's value on too few records is shown,
not coloured, and a share says how far its true rate may lie (catalogue fixture, October
2026: Anna has two ratings, one positive)."""

from __future__ import annotations

import re

import pytest

from kpis.catalogue.catalogue_fixture import AS_OF, batch
from stip.app import Stip
from stip.semantic.catalog import load_catalog
from stip.web.routes.kpis import _worst_first

from .conftest import TestClient, login

WHEN = f"period=2026-10&as_of={AS_OF}"


@pytest.fixture(scope="module", autouse=True)
def _msp(stip: Stip) -> None:
    stip.store.apply(batch())


def _row(page: str, name: str) -> str:
    found = re.search(rf"<tr class=\"status-(\w+)\"><td>{name}</td>(.*?)</tr>", page)
    assert found is not None, name
    return found.group(0)


def test_the_breakdown_by_person_marks_too_few_and_gives_the_interval(
    client: TestClient,
) -> None:
    login(client, "teamlead")
    page = client.get(f"/kpi/csat_positive_rate?{WHEN}").text
    assert "95 % interval" in page
    anna = _row(page, "Anna Jansen")
    # 1 of 2: Wilson 9.45-90.55 %
    assert 'class="status-none"' in anna and "too few to judge" in anna
    assert "9.5–90.5" in anna
    # a count has no interval column
    assert "95 % interval" not in client.get(f"/kpi/tickets_created?{WHEN}").text


def test_a_persons_scorecard_tile_says_too_few(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get(f"/d/engineer?resource=101&{WHEN}").text
    tile = page[page.index('data-kpi="csat_positive_rate"') :]
    tile = tile[: tile.index("</article>")]
    assert 'data-status="none"' in tile
    assert "2 records: too few to judge" in tile


def test_in_dutch(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get(f"/kpi/csat_positive_rate?{WHEN}&lang=nl").text
    assert "95%-interval" in page and "te weinig om te beoordelen" in page


def _first_breakdown(page: str) -> list[tuple[str, str, str]]:
    """(name, value text, status) of the rows of the page's first breakdown table."""
    table = page[page.index('<section class="breakdown">') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<tr class="status-(\w+)"><td>([^<]*)</td><td class="num">([^<]*)<', table)


def test_a_breakdown_lists_the_worst_first(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get(f"/kpi/csat_positive_rate?{WHEN}").text
    assert "Worst first." in page and "<th>Person</th>" in page
    # higher is better: the lowest share first
    assert [r[1] for r in _first_breakdown(page)] == ["Anna Jansen", "Bram de Vries"]
    # fewer tickets is better: the most first, the unassigned ticket's row too
    page = client.get(f"/kpi/tickets_created?{WHEN}").text
    assert [r[1:] for r in _first_breakdown(page)] == [
        ("Bram de Vries", "3"),
        ("Anna Jansen", "2"),
        ("(none)", "1"),
    ]


def test_worst_first_puts_too_few_then_no_value_last() -> None:
    kpi = load_catalog().get("sla_met_rate")  # higher is better
    rows = [(80.0, True), (None, False), (95.0, False), (60.0, False), (10.0, True)]
    order = sorted(rows, key=lambda r: _worst_first(kpi, r[0], r[1]))
    assert order == [(60.0, False), (95.0, False), (10.0, True), (80.0, True), (None, False)]
