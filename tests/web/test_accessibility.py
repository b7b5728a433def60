"""Accessibility fixes in the markup (audit 16, WCAG 2.1 AA) and audit 15's D4, D12, D13, D15.

tests/e2e/test_accessibility_browser.py measures what only a browser can: contrast, reflow,
focus after a refresh or an action button.
"""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stip.actions.labels import labels
from stip.semantic.models import Direction
from stip.web import formatting, i18n, svg
from stip.web.kpidata import KpiData
from stip.web.templating import env
from stip.web.viewmodel import TileView, action_line, restricted_view, tile_view

from .conftest import TestClient, login

TZ = ZoneInfo("Europe/Amsterdam")
STATIC = i18n.LOCALE_DIR.parent / "web" / "static"


def _fake_tile(**values: object) -> SimpleNamespace:
    base = dict(value=88.8, target=100.0, previous=90.0, last_year=None, trend=[], status="red")
    return SimpleNamespace(
        **{**base, "actions": [], "data_as_of": None, "no_data": False, **values}
    )


def _kpi(unit: str = "%") -> SimpleNamespace:
    return SimpleNamespace(
        id="sla_met_rate", unit=unit, direction=Direction.higher_better, ceiling=None
    )


def _view(lang: str = "en", href: str = "/kpi/sla_met_rate", **values: object) -> TileView:
    return tile_view("sla", "SLA met rate", "m", _kpi(), _fake_tile(**values), lang, href, True, TZ)  # type: ignore[arg-type]


def _tile_html(view: TileView, lang: str = "en", **context: Any) -> str:
    return env.get_template("_tile.html").render(t=view, _=i18n.gettext_for(lang), **context)


def _link(html: str) -> str:
    """The tile link's content (what a screen reader reads as the link's name)."""
    found = re.search(r'<(a|div) class="tile-link".*?</\1>', html, re.DOTALL)
    assert found is not None, html
    return found.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


# --- D2: status not by colour alone -------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "lang", "word", "icon"),
    [
        ("red", "en", "off target", "✕"),
        ("amber", "en", "near target", "!"),
        ("green", "en", "on target", "✓"),
        ("red", "nl", "buiten norm", "✕"),
        ("amber", "nl", "bijna op norm", "!"),
        ("green", "nl", "op norm", "✓"),
    ],
)
def test_tile_status_has_a_visible_mark_and_a_word_in_the_link_name(
    status: str, lang: str, word: str, icon: str
) -> None:
    link = _link(_tile_html(_view(lang, status=status), lang))
    assert f'<span class="status-icon" aria-hidden="true">{icon}</span>' in link
    assert f'<span class="status-text sr-only"> – {word}</span>' in link
    assert word in _text(link)


def test_tile_without_status_has_no_status_word() -> None:
    link = _link(_tile_html(_view(status="none")))
    assert "status-icon" not in link and "target " in _text(link)
    assert "off target" not in link and "on target" not in link


@pytest.mark.parametrize(
    ("value", "previous", "lang", "word"),
    [
        (80.0, 90.0, "en", "(worse)"),
        (95.0, 90.0, "en", "(better)"),
        (80.0, 90.0, "nl", "(slechter)"),
    ],
)
def test_change_says_whether_it_is_good_or_bad(
    value: float, previous: float, lang: str, word: str
) -> None:
    link = _link(_tile_html(_view(lang, value=value, previous=previous), lang))
    assert f'<span class="sr-only"> {word}</span>' in link


# --- D3: stable ids for focus, pause control -----------------------------------------------


def test_tile_link_has_a_stable_id_from_the_tile_name() -> None:
    html = _tile_html(_view())
    assert '<a class="tile-link" id="tile-sla" href="/kpi/sla_met_rate">' in html


def test_dashboard_has_a_pause_control_and_unique_tile_ids(client: TestClient) -> None:
    login(client, "teamlead")
    for lang, pause in (("en", "Pause live updates"), ("nl", "Live bijwerken pauzeren")):
        page = client.get(f"/d/teamlead?lang={lang}").text
        assert re.search(r'<button type="button" id="live-toggle"[^>]*aria-pressed="false"', page)
        assert f">{pause}</button>" in page
        ids = re.findall(r'class="tile-link" id="([^"]+)"', page)
        assert ids and len(ids) == len(set(ids))
    tv = client.get("/d/teamlead?tv=1").text
    assert "live-toggle" not in tv  # TV mode keeps refreshing
    script = (STATIC / "stip.js").read_text(encoding="utf-8")
    assert "htmx:beforeRequest" in script and "event.preventDefault()" in script


# --- D4: action items move focus and announce -----------------------------------------------


def _item(status: str, acknowledged: bool = False) -> dict[str, Any]:
    return {
        "id": 7,
        "status": status,
        "person": "Lisa",
        "urgent": False,
        "title": "Call Erik back",
        "why": "low rating",
        "todo": "call",
        "due": "2026-11-27 17:00",
        "overdue": False,
        "acknowledged": acknowledged,
        "live": status in ("open", "snoozed"),
        "actionable": True,
    }


@pytest.mark.parametrize(
    ("status", "ack", "lang", "said"),
    [
        ("done", False, "en", "Marked done: Call Erik back"),
        ("done", False, "nl", "Afgehandeld: Call Erik back"),
        ("snoozed", False, "en", "Snoozed for one business day: Call Erik back"),
        ("snoozed", False, "nl", "Eén werkdag uitgesteld: Call Erik back"),
        ("dismissed", False, "nl", "Afgewezen: Call Erik back"),
        ("open", True, "en", "Acknowledged: Call Erik back"),
        ("open", True, "nl", "Gezien: Call Erik back"),
    ],
)
def test_action_item_heading_takes_focus_and_the_result_is_announced(
    status: str, ack: bool, lang: str, said: str
) -> None:
    html = env.get_template("actions/_item.html").render(
        item=_item(status, ack),
        L=labels(lang),
        back="/actions/me",
        csrf_token="x",
        _=i18n.gettext_for(lang),
        lang=lang,
    )
    assert f'data-announce="{said}"' in html
    assert '<h2 class="action-title" id="item-7-title" tabindex="-1">' in html
    team = env.get_template("actions/_item.html").render(
        item=_item(status, ack),
        L=labels(lang),
        back="/actions/team?team=1",
        csrf_token="x",
        _=i18n.gettext_for(lang),
        lang=lang,
    )
    assert '<h3 class="action-title" id="item-7-title" tabindex="-1">' in team
    if status == "open":  # the swapped item comes back in the page's language
        assert f'hx-post="/actions/7/done?lang={lang}"' in html


def test_every_page_has_a_polite_live_region(client: TestClient) -> None:
    login(client, "engineer")
    for lang, failed in (("en", "That did not work"), ("nl", "Dat is niet gelukt")):
        page = client.get(f"/d/engineer?lang={lang}").text
        region = re.search(r'<div id="live-status"[^>]*>', page)
        assert region is not None
        assert 'role="status"' in region.group(0) and 'aria-live="polite"' in region.group(0)
        assert failed in region.group(0)
    script = (STATIC / "stip.js").read_text(encoding="utf-8")
    assert "htmx:afterSettle" in script and "data-announce" in script


def test_finished_items_are_not_faded_and_carry_a_mark() -> None:
    css = (STATIC / "actions.css").read_text(encoding="utf-8")
    assert "opacity" not in css
    html = env.get_template("actions/_item.html").render(
        item=_item("done"),
        L=labels("en"),
        back="/actions/me",
        csrf_token="x",
        _=i18n.gettext_for("en"),
        lang="en",
    )
    assert '<span class="status-mark" aria-hidden="true">✓ </span>done' in html


# --- D5: history chart text alternative --------------------------------------------------


def test_history_chart_names_every_period_and_value() -> None:
    chart = svg.history_chart(
        ["16 Nov 26", "23 Nov 26"], [14.0, None], 0.0, ["14", "—"], "Overdue tickets"
    )
    assert 'aria-label="Overdue tickets: 16 Nov 26 14; 23 Nov 26 —"' in chart


# --- D6 / audit 15 D15: tables scroll in their own labelled, focusable box ------------------


def _tables_are_wrapped(page: str) -> None:
    tables = page.count("<table")
    wrappers = re.findall(
        r'<div class="table-scroll" role="region" tabindex="0" aria-label="[^"]+">\s*<table', page
    )
    assert tables and len(wrappers) == tables, page


@pytest.mark.parametrize("path", ["/admin/shares", "/admin/users", "/admin/sync", "/api/docs"])
def test_admin_and_docs_tables_scroll_in_a_labelled_region(client: TestClient, path: str) -> None:
    login(client, "admin")
    page = client.get(path).text
    if "<table" in page:
        _tables_are_wrapped(page)


def test_kpi_page_tables_scroll_in_a_labelled_region(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/kpi/sla_met_rate").text
    if "<table" in page:
        _tables_are_wrapped(page)
    template = (i18n.LOCALE_DIR.parent / "web" / "templates" / "kpi.html").read_text()
    assert template.count('class="table-scroll" role="region" tabindex="0"') == 2
    meeting = (
        i18n.LOCALE_DIR.parent / "web" / "templates" / "actions" / "meeting.html"
    ).read_text()
    assert meeting.count('class="table-scroll" role="region" tabindex="0"') == 3


# --- D9: visible format hints instead of value-like placeholders ---------------------------


def test_filters_show_hints_not_placeholders(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?lang=nl").text
    form = page[
        page.index('<form method="get"') : page.index("</form>", page.index('<form method="get"'))
    ]
    assert "placeholder" not in form
    assert 'aria-describedby="filter-custom-hint"' in form
    assert (
        '<small class="hint" id="filter-custom-hint">bijv. 2026-10-01..2026-10-15</small>' in form
    )
    assert 'id="filter-as-of-hint">leeg: nu; bijv. 2026-11-02T09:00</small>' in form
    assert "De einddatum ligt voor de begindatum" in form  # D10.7, checked in place by stip.js


# --- D10: headings, empty headers, language buttons, skip link ----------------------------


def _headings(page: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]


def _no_skips(levels: list[int]) -> None:
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def test_heading_levels_do_not_skip(client: TestClient) -> None:
    login(client, "owner")
    for path in ("/kpi/sla_met_rate", "/d/teamlead?tv=1", "/d/teamlead"):
        _no_skips(_headings(client.get(path).text))
    login(client, "engineer")
    _no_skips(_headings(client.get("/actions/me").text))
    # an item on my actions sits right under the page's h1 (see the action item test)


@pytest.mark.parametrize("path", ["/admin/shares", "/admin/users"])
def test_no_empty_table_headers(client: TestClient, path: str) -> None:
    login(client, "admin")
    page = client.get(path).text
    assert "<th></th>" not in page and '<th><span class="sr-only">' in page


def test_meeting_and_deliveries_templates_have_no_empty_headers() -> None:
    folder = i18n.LOCALE_DIR.parent / "web" / "templates" / "actions"
    for name in ("meeting.html", "deliveries.html"):
        assert "<th></th>" not in (folder / name).read_text(encoding="utf-8"), name


def test_language_buttons_both_say_whether_they_are_pressed(client: TestClient) -> None:
    page = client.get("/login?lang=nl").text
    buttons = re.findall(r'<button type="submit" name="lang"[^>]*>.*?</button>', page)
    assert len(buttons) == 2
    assert 'aria-pressed="true"' in buttons[1] and 'aria-pressed="false"' in buttons[0]
    assert '<span class="sr-only"> Nederlands</span>' in buttons[1]


def test_skip_link_leads_to_the_tiles(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?lang=nl").text
    assert '<a class="skip-link" href="#grid">Naar de inhoud</a>' in page
    assert '<a class="skip-link" href="#main">' in client.get("/actions/me").text


# --- D11: no dead links -------------------------------------------------------------------


def test_tiles_without_a_drill_down_are_not_links() -> None:
    html = _tile_html(_view(href="#"))
    assert 'href="#"' not in html and '<div class="tile-link" id="tile-sla">' in html
    locked = _tile_html(restricted_view("m", "MRR", "m", "mrr"))
    assert 'href="#"' not in locked and "<a " not in locked


# --- audit 15 D4: call-back rows whole, phone as tel: link ---------------------------------


def test_call_back_row_is_whole_with_a_tel_link() -> None:
    row = {
        "what": {
            "en": "Call Erik Kuipers at Rivierenland Transport back on 06-97380434 about ticket T1",
            "nl": "Bel Erik Kuipers van Rivierenland Transport terug op 06-97380434 over ticket T1",
        },
        "person": "Lisa de Bruin",
        "why": {"en": "They rated ticket T1 as bad", "nl": "Slechte score op T1"},
        "contact_phone": "06-97380434",
    }
    view = _view(actions=[row])
    assert view.actions[0].phone == "06-97380434" and view.actions[0].phone_uri == "0697380434"
    html = _tile_html(view)
    assert '<a class="tel" href="tel:0697380434">06-97380434</a> about ticket T1' in html
    assert (
        'title="Call Erik Kuipers at Rivierenland Transport back on 06-97380434 about ticket T1'
        ' · Lisa de Bruin · They rated ticket T1 as bad"' in html
    )
    css = (STATIC / "stip.css").read_text(encoding="utf-8")
    rule = re.search(r"\.tile-actions \.what, \.tile-actions \.line2 \{([^}]*)\}", css)
    assert rule is not None and "nowrap" not in rule.group(1) and "ellipsis" not in rule.group(1)


def test_rows_without_a_phone_get_no_tel_link() -> None:
    line = action_line({"what": "Work on ticket T2", "person": "Piet", "phone": "n/a"}, "en")
    assert line.phone == ""


# --- audit 15 D12: units break after a slash instead of being cut --------------------------


def test_long_unit_can_break_after_each_slash() -> None:
    view = tile_view(
        "r",
        "Reactive tickets",
        "m",
        _kpi("tickets/endpoint/month"),
        _fake_tile(),
        "en",
        "/k",
        True,
        TZ,  # type: ignore[arg-type]
    )
    assert '<span class="unit">tickets/<wbr>endpoint/<wbr>month</span>' in _tile_html(view)
    css = (STATIC / "stip.css").read_text(encoding="utf-8")
    unit = re.search(r"\n\.tile-value \.unit \{([^}]*)\}", css)
    assert unit is not None and "ellipsis" not in unit.group(1)


# --- audit 15 D13: halves round up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "lang", "text"),
    [
        (3.25, "h", "en", "3.3"),
        (3.25, "h", "nl", "3,3"),
        (0.25, "h", "en", "0.3"),
        (0.75, "h", "en", "0.8"),
        (0.15, "h", "en", "0.2"),
        (276.5, "h", "en", "277"),
        (223.25, "h", "en", "223"),
        (71.25, "%", "en", "71.3"),
        (2.5, "count", "en", "2.5"),
        (12345.5, "count", "en", "12,345.5"),
    ],
)
def test_numbers_round_half_up(value: float, unit: str, lang: str, text: str) -> None:
    assert formatting.number(value, unit, lang) == text


def test_compact_numbers_and_changes_round_half_up() -> None:
    assert formatting.number(94_650, "€", "en", compact=True) == "94.7k"
    assert formatting.delta(3.25, 3.0, "h", "en") == "▲ 0.3"
    assert formatting.delta(0.35, 0.1, "h", "en") == "▲ 0.3"  # 0.25, not 0.2499...


# --- D12: a refresh brings the header along (data time, failed sync) ----------------------


def test_grid_refresh_sends_the_header_out_of_band(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?tv=1&lang=nl").text
    assert page.count('id="dash-status"') == 1 and "hx-swap-oob" not in page
    grid = client.get("/d/teamlead/grid?tv=1&lang=nl").text
    assert '<header class="tv-head" id="dash-status" hx-swap-oob="true">' in grid
    assert "gegevens van" in grid
    assert "mislukt" not in grid

    failed_at = datetime(2026, 11, 27, 14, 55)
    monkeypatch.setattr(KpiData, "failed_sync", lambda self: (failed_at, "HTTP 401"))
    grid = client.get("/d/teamlead/grid?tv=1&lang=nl").text
    head = grid[: grid.index('<div id="grid"')]
    assert 'role="status"' in head and "De laatste synchronisatie met de PSA is mislukt" in head
    laptop = client.get("/d/teamlead/grid?lang=en").text
    assert '<div class="dash-status" id="dash-status" hx-swap-oob="true">' in laptop
    assert "The last sync from the PSA failed" in laptop
