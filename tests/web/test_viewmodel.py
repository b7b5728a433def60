from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from stip.semantic.catalog import BUILTIN_DIR, validate_dirs
from stip.semantic.periods import parse_period
from stip.web import exports, formatting, svg
from stip.web.viewmodel import (
    TV_HEIGHT,
    TV_WIDTH,
    action_line,
    is_stale,
    tile_view,
    tv_geometry,
)


@pytest.mark.parametrize("cells", [1, 4, 13, 27, 70, 90, 110, 140])
def test_tv_geometry_holds_every_cell_with_tiles_near_the_target_shape(cells: int) -> None:
    cols, rows = tv_geometry(cells)
    assert cols * rows >= cells
    width, height = TV_WIDTH / cols, TV_HEIGHT / rows
    assert 0.8 < width / height < 2.6


def test_tv_geometry_for_seventy_tiles() -> None:
    # 70 tiles, 20 of them amber/red (2 cells each) = 90 cells on 1920x1030 px.
    # 11x9: 174x114 px cells (ratio 1.53, |ln(1.53/1.45)| = 0.05) + 9 spare cells x 0.02 = 0.23;
    # 12x8: 160x129 px (ratio 1.24, 0.15) + 6 spare x 0.02 = 0.27. 11x9 wins.
    assert tv_geometry(90) == (11, 9)


def test_numbers_in_dutch_and_english() -> None:
    assert formatting.number(1234.5, "€", "nl") == "1.235"  # halves round up
    assert formatting.number(1234.5, "€", "en") == "1,235"
    assert formatting.number(93.75, "%", "nl") == "93,8"
    assert formatting.number(93.75, "%", "en") == "93.8"
    assert formatting.number(48, "count", "en") == "48"
    assert formatting.number(None, "count", "en") == "—"
    assert formatting.number(94612.3, "€", "nl", compact=True) == "94,6K"
    assert formatting.number(754321, "€", "en", compact=True) == "754.3k"
    assert formatting.number(9461.3, "€", "nl", compact=True) == "9.461"
    assert formatting.delta(93.75, 95.0, "%", "en") == "▼ 1.3"
    assert formatting.delta(3, 3, "count", "en") == "="
    assert formatting.delta_class(90.0, 95.0, higher_better=True) == "bad"
    assert formatting.delta_class(4, 6, higher_better=False) == "good"
    assert formatting.unit_text("business h", "nl") == "wu"


def test_sparkline_is_plain_svg_with_gaps_and_classes() -> None:
    out = str(svg.sparkline([1, 2, None, 4, 3], "red"))
    assert out.startswith('<svg class="spark spark-red"')
    assert out.count("<polyline") == 2  # [1,2] and [4,3]: the gap splits the line
    assert "style=" not in out
    assert str(svg.sparkline([None, 5], "green")) == ""
    chart = str(svg.history_chart(["a", "b"], [1.0, None], 2.0, ["1", "—"], "<x>"))
    assert 'aria-label="&lt;x&gt;: ' in chart and chart.count("<rect") == 1


def test_action_line_prefers_the_rendered_what_in_the_viewer_language() -> None:
    row = {
        "ticket_id": 7,
        "what": {"en": "Work on T7", "nl": "Werk aan T7"},
        "why": {"en": "late", "nl": "te laat"},
        "person": "Jan",
    }
    line = action_line(row, "nl")
    assert (line.what, line.who, line.why) == ("Werk aan T7", "Jan", "te laat")
    bare = action_line({"ticket_id": 7, "ticket_number": "T7", "title": "Printer"}, "en")
    assert bare.what == "T7 Printer"


def test_stale_only_when_viewing_the_present() -> None:
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert is_stale(now - timedelta(hours=3), True, now)
    assert not is_stale(now - timedelta(minutes=30), True, now)
    assert not is_stale(now - timedelta(days=30), False, now)  # a pinned as-of is history
    assert not is_stale(None, True, now)


def test_exports_neutralise_formulas_from_psa_text() -> None:
    rows = [["=1+1", "+cmd", "-2", "@SUM(A1)", "plain", 5, None]]
    text = exports.to_csv(list("abcdefg"), rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1] == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain", "5", ""]
    book = load_workbook(io.BytesIO(exports.to_xlsx("kpi", list("abcdefg"), rows)))
    values = [c.value for c in next(book.active.iter_rows(min_row=2))]
    assert values == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain", 5, None]


def test_a_tile_computed_over_its_month_names_the_month() -> None:
    """`grain: month` KPIs on a weekly dashboard show the month's figure; the title says so."""
    tz = ZoneInfo("Europe/Amsterdam")
    as_of = datetime(2026, 11, 27, 12, 0, tzinfo=tz)
    week = parse_period("this-week", as_of, tz)
    catalog, _ = validate_dirs([BUILTIN_DIR])
    mrr, backlog = catalog.get("mrr"), catalog.get("open_backlog")

    def view(kpi: Any, lang: str) -> str:
        own = week.month_grain(as_of) if kpi.grain == "month" else week
        tile = SimpleNamespace(
            value=1.0, target=None, status="none", trend=[], previous=None, period=own
        )
        return tile_view("t", "Name", "m", kpi, tile, lang, "#", True, tz, week).title

    assert view(mrr, "nl") == "Name · november 2026"
    assert view(mrr, "en") == "Name · November 2026"
    assert view(backlog, "en") == "Name"


def test_a_tile_with_a_ceiling_states_its_green_range() -> None:
    """185 % of the available hours logged: amber, and the tile says where green ends."""
    tz = ZoneInfo("Europe/Amsterdam")
    week = parse_period("this-week", datetime(2026, 11, 27, 12, 0, tzinfo=tz), tz)
    catalog, _ = validate_dirs([BUILTIN_DIR])
    kpi = catalog.get("time_entry_compliance")
    tile = SimpleNamespace(
        value=185.0, target=90.0, status="amber", trend=[], previous=None, period=week, actions=[]
    )
    view = tile_view("t", "Name", "m", kpi, tile, "nl", "#", True, tz, week)
    assert (view.status, view.target_text) == ("amber", "90,0–110 %")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-10-23T15:16:00+02:00", "23 okt 2026 15:16"),
        ("2026-10-23", "23 okt 2026"),
        # PSA text that starts like a time, or looks like one but is none, stays as written
        ("2026-10-21T09:00 backup failed again", "2026-10-21T09:00 backup failed again"),
        ("2026-13-45T99:99:00+02:00", "2026-13-45T99:99:00+02:00"),
        ("2026-02-30", "2026-02-30"),
        (2.5, "2,5"),
        (True, "ja"),
        (None, ""),
    ],
)
def test_action_table_cells(value: object, shown: str) -> None:
    """A ticket titled "2026-10-21T09:00 backup failed" made the KPI page an HTTP 500."""
    from stip.web.routes.kpis import _cell_text

    assert _cell_text(value, "nl") == shown


def test_a_judged_value_never_reads_as_its_target() -> None:
    from stip.web.formatting import against

    assert against(94.96, 95, "%", "en") == "94.96"  # not 95.0, which would read as met
    assert against(0.2125, 0.2, "tickets/user/month", "nl") == "0,21"
    assert against(95.0000000001, 95, "%", "en") == "95.0"  # within the tolerance: the target
    assert against(87.76, 90, "%", "en") == "87.8"  # far enough: the usual decimals
    assert against(None, 90, "%", "en") == "—"
    assert against(90.00004, 90, "%", "en") == "90.00004"


def test_a_tile_without_a_value_shows_a_dash_without_its_unit() -> None:
    """Product margin with no products sold: "—", not "— %" (nor "no data": the PSA has it)."""
    tz = ZoneInfo("Europe/Amsterdam")
    week = parse_period("this-week", datetime(2026, 11, 27, 12, 0, tzinfo=tz), tz)
    catalog, _ = validate_dirs([BUILTIN_DIR])
    tile = SimpleNamespace(
        value=None, target=40.0, status="none", trend=[], previous=None, period=week, actions=[]
    )
    view = tile_view("t", "Name", "m", catalog.get("product_gross_margin"), tile, "en", "#",
                     True, tz, week)  # fmt: skip
    assert (view.value_text, view.unit_text, view.no_data) == ("—", "", False)
