"""Audit 11 fixes in the pages and view models: TV tile sizes, no-data tiles, headers, targets,
the period picker and the share-link list (tests/e2e/test_ui_layout.py checks the layout)."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stip.accounts.secret import secret_key
from stip.accounts.shares import list_shares
from stip.accounts.users import engine_for
from stip.app import Stip
from stip.semantic.models import Direction
from stip.web import formatting, viewmodel
from stip.web.kpidata import KpiData
from stip.web.viewmodel import ActionLine, TileView, tile_view, tv_layout

from .conftest import TestClient, csrf, login

TZ = ZoneInfo("Europe/Amsterdam")


def _tile(status: str, value: str, unit: str = "", actions: int = 0) -> TileView:
    view = TileView("t", "k", "Title", "m", status, "#", value_text=value, unit_text=unit)
    view.value_em = viewmodel.text_em(value) + (viewmodel.text_em(" " + unit) / 2 if unit else 0)
    view.actions = [ActionLine("what", "who", "why")] * actions
    return view


def _wall(count: int = 100) -> list[TileView]:
    """Like the owner TV: green percentages, long money units, red tiles, some with actions."""
    kinds = [
        ("green", "98.9", "%", 0),
        ("green", "98.9", "%", 0),
        ("none", "3,308", "€/client/month", 0),
        ("green", "62.9k", "€/month", 0),
        ("red", "754.3k", "€", 0),
        ("red", "73.3", "%", 0),
        ("amber", "21", "", 3),
        ("green", "98.9", "%", 0),
    ]
    return [_tile(*kinds[i % len(kinds)]) for i in range(count)]


@pytest.mark.parametrize("count", [5, 30, 70, 100])
def test_tv_values_fit_their_tiles_at_1080p(count: int) -> None:
    tiles = _wall(count)
    cols, rows = tv_layout(tiles)
    for tile in tiles:
        assert viewmodel._value_fits(tile, tile.tv_span, cols, rows), tile.value_text
    assert all(t.tv_span == 1 for t in tiles if t.value_text == "98.9")
    assert any(t.tv_span >= 2 for t in tiles if t.unit_text == "€/client/month")


def test_tv_tiles_with_actions_get_two_rows_and_the_grid_holds_every_tile() -> None:
    tiles = _wall()
    cols, rows = tv_layout(tiles)
    listing = [t for t in tiles if t.actions]
    assert listing and all(t.tv_tall and t.tv_cells == 2 * t.tv_span for t in listing)
    spans = [(t.tv_span, 2 if t.tv_tall else 1) for t in tiles]
    assert viewmodel._packed_rows(spans, cols) <= rows
    assert all(t.tv_span <= cols for t in tiles)


def test_dense_packing_counts_the_rows_css_grid_fills() -> None:
    assert viewmodel._packed_rows([(2, 2), (1, 1), (1, 1), (2, 1)], 3) == 3
    assert viewmodel._packed_rows([(1, 1)] * 6, 3) == 2


def _fake_tile(**values: object) -> SimpleNamespace:
    base = dict(value=88.8, target=100.0, previous=None, last_year=None, trend=[], status="red")
    return SimpleNamespace(
        **{**base, "actions": [], "data_as_of": None, "no_data": False, **values}
    )


def _kpi(unit: str) -> SimpleNamespace:
    return SimpleNamespace(id="k", unit=unit, direction=Direction.higher_better, ceiling=None)


@pytest.mark.parametrize(
    ("unit", "lang", "target"),
    [("€/h", "nl", "100 €/u"), ("score", "en", "8.0 score"), ("count", "en", "10")],
)
def test_target_keeps_a_space_between_number_and_unit(unit: str, lang: str, target: str) -> None:
    value = 10 if unit == "count" else 100.0 if unit == "€/h" else 8.0
    view = tile_view("t", "T", "m", _kpi(unit), _fake_tile(target=value), lang, "#", True, TZ)  # type: ignore[arg-type]
    assert view.target_text == target


def test_no_data_tile_says_so_without_unit_or_target() -> None:
    tile = _fake_tile(value=None, no_data=True)
    view = tile_view("t", "T", "m", _kpi("%"), tile, "nl", "#", True, TZ)  # type: ignore[arg-type]
    assert (view.value_text, view.unit_text, view.target_text) == ("geen gegevens", "", "")
    assert view.no_data


def test_last_year_reads_with_its_unit() -> None:
    view = tile_view("t", "T", "m", _kpi("%"), _fake_tile(last_year=71.25), "en", "#", True, TZ)  # type: ignore[arg-type]
    assert view.last_year_text == "71.3 %"  # halves round up


def test_dashboard_says_no_data_and_names_each_tile(client: TestClient) -> None:
    login(client, "owner")
    for lang, words in (("en", "no data"), ("nl", "geen gegevens")):
        page = client.get(f"/d/owner?lang={lang}").text
        assert f'<span class="num">{words}</span>' in page
        assert 'class="tile-value no-data"' not in page  # the class sits on the tile
        assert "no-data" in page
    page = client.get("/d/owner").text
    articles = re.findall(
        r'<article class="[^"]*" data-kpi="(\w+)" data-status="\w+" title="([^"]+)">', page
    )
    assert len(articles) >= 90
    assert ("avg_mrr_per_client", "Average MRR per client") in articles


def test_kpi_page_says_no_data(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/kpi/mrr?lang=nl").text
    assert '<span class="num">geen gegevens</span>' in page
    assert '<p class="no-data">geen gegevens</p>' in page
    assert "— €" not in page


def test_kpi_page_target_has_a_space(client: TestClient) -> None:
    login(client, "finance")
    assert "<dd>100 €/u</dd>" in client.get("/kpi/effective_hourly_rate?lang=nl").text
    assert "<dd>100 €/h</dd>" in client.get("/kpi/effective_hourly_rate?lang=en").text
    login(client, "owner")  # who may change it
    owner = client.get("/kpi/effective_hourly_rate?lang=nl").text
    assert '<dd>100 €/u <a href="/targets/edit">wijzigen</a></dd>' in owner


def test_pinned_as_of_shows_in_the_header_and_on_tv(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?period=last-month&as_of=2026-11-02T09:00").text
    assert "as of 2 Nov 2026 09:00" in page and "data as of" not in page
    page = client.get("/d/teamlead?lang=nl&as_of=2026-11-02T09:00&tv=1").text
    assert "per 2 nov 2026 09:00" in page and "gegevens van" not in page
    assert "data as of" in client.get("/d/teamlead").text
    page = client.get("/kpi/open_backlog?period=last-month&as_of=2026-11-02T09:00").text
    assert "as of 2 Nov 2026 09:00" in page and "data as of" not in page  # the KPI page too


def test_period_in_the_header_is_the_translated_name(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?lang=nl&period=this-week&as_of=2026-11-02T09:00").text
    assert "2 nov 2026 – 8 nov 2026 (Deze week)" in page and "(this-week)" not in page
    page = client.get("/d/teamlead?lang=nl&period=this-week&as_of=2026-11-02T09:00&tv=1").text
    assert "(Deze week)" in page and "(this-week)" not in page


def test_custom_range_shows_in_the_select_and_a_chosen_period_wins(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?custom=2026-10-01..2026-10-15&as_of=2026-11-02T09:00").text
    assert '<option value="custom" selected>Custom range</option>' in page
    assert '<option value="today" selected>' not in page
    assert "1 Oct 2026 – 15 Oct 2026" in page
    both = "period=last-month&custom=2026-10-01..2026-10-15&as_of=2026-11-02T09:00"
    page = client.get(f"/d/teamlead?{both}").text
    assert "1 Oct 2026 – 31 Oct 2026 (Last month)" in page
    assert '<option value="last-month" selected>' in page and 'value="2026-10-01' not in page
    page = client.get("/d/teamlead?period=custom&custom=2026-10-01..2026-10-15").text
    assert "1 Oct 2026 – 15 Oct 2026" in page
    page = client.get("/d/teamlead?period=custom&custom=&lang=nl").text
    assert "(Deze week)" in page  # nothing in the box: the dashboard's default


def test_a_range_typed_without_javascript_wins_over_the_select_it_could_not_change(
    client: TestClient,
) -> None:
    """Without JavaScript, Apply sends the select as it was shown next to the typed range."""
    login(client, "teamlead")
    page = client.get("/d/teamlead?as_of=2026-11-02T09:00").text
    assert '<input type="hidden" name="shown_custom" value="">' in page
    form = "as_of=2026-11-02T09:00&period=this-week&shown_custom="
    page = client.get(f"/d/teamlead?{form}&custom=2026-10-01..2026-10-15").text
    assert "1 Oct 2026 – 15 Oct 2026" in page
    assert 'name="shown_custom" value="2026-10-01..2026-10-15"' in page
    # the range is shown again and the select changed: the select wins
    again = "as_of=2026-11-02T09:00&period=last-month&shown_custom=2026-10-01..2026-10-15"
    page = client.get(f"/d/teamlead?{again}&custom=2026-10-01..2026-10-15").text
    assert "1 Oct 2026 – 31 Oct 2026 (Last month)" in page
    # another range typed over the one shown: the new range
    page = client.get(f"/d/teamlead?{again}&custom=2026-10-05..2026-10-06").text
    assert "5 Oct 2026 – 6 Oct 2026" in page


def test_share_list_shows_local_time_and_the_dashboard_title(
    stip: Stip, client: TestClient
) -> None:
    login(client, "admin")
    made = client.post(
        "/admin/shares",
        data={"dashboard_id": "teamlead", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get("/admin/shares?lang=nl").text
    row = re.search(r"<td><code>\w+</code></td><td>([^<]*)</td><td>([^<]*)</td>", page)
    assert row is not None
    link = list_shares(engine_for(stip.settings), secret_key(stip.settings))[-1]
    assert row.group(1) == "Teamleider"
    assert row.group(2) == formatting.when(link.created_at, stip.settings.tz, "nl")


def test_kpi_page_shows_the_same_period_last_year(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = KpiData.tiles

    def with_last_year(self: KpiData, *args: Any) -> list[Any]:
        return [replace(tile, last_year=71.25) for tile in computed(self, *args)]

    monkeypatch.setattr(KpiData, "tiles", with_last_year)
    login(client, "teamlead")
    page = client.get("/kpi/sla_met_rate?period=last-month&as_of=2026-11-02T09:00").text
    assert (
        '<dt>Same period last year</dt><dd class="last-year">71.3 % '
        '<span class="period-note">(1 Oct 2025 – 31 Oct 2025)</span></dd>'
    ) in page
    page = client.get("/kpi/sla_met_rate?lang=nl&period=last-month&as_of=2026-11-02T09:00").text
    assert "<dt>Zelfde periode vorig jaar</dt>" in page and "71,3 %" in page


def test_a_running_period_says_what_its_changes_compare_with(client: TestClient) -> None:
    """On Wednesday 4 November, this month's totals so far are compared with 1-4 October,
    and the page says so: the dashboard's header, each change's title, the KPI page."""
    login(client, "teamlead")
    query = "period=this-month&as_of=2026-11-04T09:00"
    page = client.get(f"/d/teamlead?{query}").text
    assert "(totals vs 1 Oct 2026 – 4 Oct 2026)" in page
    assert 'title="change vs 1 Oct 2026 – 4 Oct 2026' in page
    kpi = client.get(f"/kpi/tickets_created?{query}").text
    assert '<span class="period-note">(1 Oct 2026 – 4 Oct 2026)</span>' in kpi
    assert '<span class="period-note">(1 Nov 2025 – 4 Nov 2025)</span>' in kpi
    dutch = client.get(f"/d/teamlead?lang=nl&{query}").text
    assert "(totalen t.o.v. 1 okt 2026 – 4 okt 2026)" in dutch
    closed = client.get("/d/teamlead?period=last-month&as_of=2026-11-04T09:00").text
    assert "totals vs" not in closed
