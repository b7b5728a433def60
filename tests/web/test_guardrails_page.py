"""The statistical guardrails on the pages: a person's value on too few records is shown,
not coloured, and a share says how far its true rate may lie (catalogue fixture, October
2026: Anna has two ratings, one positive)."""

from __future__ import annotations

import re

import pytest

from kpis.catalogue.catalogue_fixture import AS_OF, batch
from stip.app import Stip

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
