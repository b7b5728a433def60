"""Accessibility in Debian's Chromium (audit 16, WCAG 2.1 AA; audit 15 D12, D15): contrast from
computed styles, reflow at phone width and 200 % zoom, focus and scroll across the live
refresh, focus and announcements after action buttons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import stip_cli
from .test_web_e2e import Watched, login

pytestmark = pytest.mark.playwright

#: Relative luminance (WCAG) of a computed colour, and the contrast of two luminances.
LUMINANCE = """
    const rgb = (c) => {
        const m = c.match(/[\\d.]+/g).map(Number);
        return m.length > 3 ? m : [...m, 1];
    };
    const lum = ([r, g, b]) => {
        const f = (v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""

#: Contrast of each matching element's text against the first opaque background behind it.
CONTRAST = (
    "(selector) => {"
    + LUMINANCE
    + """
    const bg = (el) => {
        for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c[3] > 0.99) return c;
        }
        return [255, 255, 255, 1];
    };
    const shown = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length);
    return shown.map(e => ({
        text: e.innerText.trim().slice(0, 40),
        kpi: (e.closest('[data-kpi]') || {dataset: {}}).dataset.kpi,
        ratio: ratio(lum(rgb(getComputedStyle(e).color)), lum(bg(e))),
    }));
}"""
)

#: Contrast of the borders of the login form's fields and button against its white card.
BORDERS = (
    "() => {"
    + LUMINANCE
    + """
    const controls = document.querySelectorAll('.login input:not([type=hidden]), .login button');
    return [...controls].map(e => ratio(lum(rgb(getComputedStyle(e).borderTopColor)), 1.0));
}"""
)

#: Page width against the viewport, and what sticks out (outside a table's scroll box).
REFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'));
    return {scroll: document.documentElement.scrollWidth, client: width,
            wide: wide.map(e => e.tagName + '.' + e.className).slice(0, 5)};
}"""

#: TV tiles: texts cut or below their tile, titles squeezed; header over the tiles; page size.
TV_FALLBACK = """() => {
    const cut = [];
    const parts = '.tile-title, .tile-value, .tile-meta, .tile-actions li';
    for (const t of document.querySelectorAll('#grid article.tile')) {
        const box = t.getBoundingClientRect();
        for (const e of t.querySelectorAll(parts)) {
            const r = e.getBoundingClientRect();
            if (r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5
                    || e.scrollWidth > e.clientWidth + 1)
                cut.push(t.dataset.kpi + ' ' + e.className);
        }
        if (t.querySelector('.tile-title').getBoundingClientRect().width < 100)
            cut.push('narrow ' + t.dataset.kpi);
    }
    const head = document.querySelector('.tv-head').getBoundingClientRect();
    const first = document.querySelector('#grid article.tile').getBoundingClientRect();
    const root = document.documentElement;
    return {cut, overlap: head.bottom > first.top + 0.5, scroll: root.scrollHeight,
            width: root.scrollWidth, client: root.clientWidth,
            overflow: getComputedStyle(document.body).overflowY};
}"""

#: Tile texts on a laptop that are cut (wider or taller than their box).
WHOLE = """() => {
    const parts = ['.unit', '.target', '.tile-title', '.tile-actions .what',
        '.tile-actions .line2'];
    const all = document.querySelectorAll(parts.map(p => '#grid ' + p).join(', '));
    return [...all].filter(e => e.scrollWidth > e.clientWidth + 1
        || e.scrollHeight > e.clientHeight + 1).map(e => e.innerText);
}"""


def _share_path(home: Path) -> str:
    created = stip_cli(home, "share", "create", "teamlead")
    assert created.returncode == 0, created.stderr
    found = re.search(r"/s/\S+", created.stdout)
    assert found is not None, created.stdout
    return found.group(0)


def _low(rows: list[dict[str, Any]], least: float = 4.5) -> list[dict[str, Any]]:
    return [r for r in rows if r["ratio"] < least]


def test_tv_change_figures_and_status_marks_are_legible_on_the_dark_tiles(
    server: str, context: Any
) -> None:  # D1
    w = login(context, server, "teamlead")
    w.page.set_viewport_size({"width": 1920, "height": 1080})
    w.page.goto(f"{server}/d/teamlead?tv=1")
    deltas = w.page.evaluate(CONTRAST, "#grid .delta")
    assert len(deltas) > 20
    assert _low(deltas) == []
    assert _low(w.page.evaluate(CONTRAST, "#grid .status-icon"), 3.0) == []


@pytest.mark.parametrize("dashboard", ["teamlead", "owner"])
def test_laptop_change_figures_reach_4_5_to_1_on_every_tile(
    server: str, context: Any, dashboard: str
) -> None:  # D10.1
    w = login(context, server, "owner")
    w.page.goto(f"{server}/d/{dashboard}")
    rows = w.page.evaluate(CONTRAST, "#grid .delta, #grid .tile-title, #grid .tile-meta .target")
    assert any(r["kpi"] for r in rows)
    assert _low(rows) == []
    assert _low(w.page.evaluate(CONTRAST, "#grid .status-icon"), 3.0) == []


def test_controls_are_outlined_at_3_to_1(server: str, context: Any) -> None:  # D9
    page = context.new_page()
    page.goto(f"{server}/login?lang=nl")
    ratio = page.evaluate(BORDERS)
    assert len(ratio) == 3 and min(ratio) >= 3.0, ratio


def test_tile_link_names_carry_the_status_in_both_languages(server: str, context: Any) -> None:
    # D2
    w = login(context, server, "teamlead")
    for lang, word in (("en", "off target"), ("nl", "buiten norm")):
        w.page.goto(f"{server}/d/teamlead?lang={lang}")
        red = w.page.locator("#grid article.status-red a.tile-link").first
        name = red.evaluate("a => a.innerText")
        assert word in name, name
        snapshot = w.page.locator("#grid article.status-red").first.aria_snapshot()
        assert word in snapshot, snapshot


def test_live_refresh_keeps_focus_and_scroll_and_can_be_paused(
    server: str, context: Any
) -> None:  # D3
    w = login(context, server, "teamlead")
    page = w.page
    page.goto(f"{server}/d/teamlead")
    page.wait_for_load_state("networkidle")
    link = page.locator("#grid a.tile-link").nth(30)
    target = link.get_attribute("id")
    assert target and target.startswith("tile-")
    link.evaluate("a => { a.scrollIntoView({block: 'center'}); a.focus(); }")
    before = page.evaluate("() => [document.activeElement.id, window.scrollY]")
    assert before[0] == target and before[1] > 0
    old_grid = page.evaluate_handle("() => document.getElementById('grid')")
    with page.expect_response(re.compile(r"/d/teamlead/grid")) as response:
        page.evaluate("() => htmx.trigger('#grid', 'every 60s')")
    assert response.value.status == 200
    page.wait_for_function("g => !g.isConnected", arg=old_grid)
    page.wait_for_timeout(300)
    after = page.evaluate("() => [document.activeElement.id, window.scrollY]")
    assert after[0] == target, after
    assert abs(after[1] - before[1]) < 2, (before, after)

    # A key press (the user is busy): the next tick does not refresh.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/grid" in r.url else None)
    page.keyboard.press("Shift")
    page.evaluate("() => htmx.trigger('#grid', 'every 60s')")
    page.wait_for_timeout(1500)
    assert requests == []

    # The pause button: pressed, announced, and no refresh after the quiet time either.
    page.goto(f"{server}/d/teamlead?lang=nl")
    button = page.locator("#live-toggle")
    assert button.is_visible() and button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "Live bijwerken hervatten"
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent.includes('gepauzeerd')"
    )
    page.evaluate("() => htmx.trigger('#grid', 'every 60s')")
    page.wait_for_timeout(1500)
    assert requests == []
    button.click()  # leave it running for the other tests of this browser context
    assert w.errors == []


def test_tv_refresh_keeps_going_and_renews_the_header(server: str, context: Any) -> None:
    # D3 (TV keeps refreshing while keys are pressed), D12 (the header comes along)
    w = login(context, server, "teamlead")
    w.page.goto(f"{server}/d/teamlead?tv=1&lang=nl")
    old_head = w.page.evaluate_handle("() => document.getElementById('dash-status')")
    w.page.keyboard.press("Shift")
    with w.page.expect_response(re.compile(r"/d/teamlead/grid")) as response:
        w.page.evaluate("() => htmx.trigger('#grid', 'every 60s')")
    assert response.value.status == 200
    w.page.wait_for_function("h => !h.isConnected", arg=old_head)
    heads = w.page.locator("header.tv-head")
    assert heads.count() == 1 and "gegevens van" in heads.inner_text()
    assert w.page.locator("#grid").count() == 1
    assert w.errors == []


@pytest.fixture(scope="module")
def action_items(site_home: tuple[Path, dict[str, object]], server: str) -> None:
    home, _ = site_home
    result = stip_cli(home, "actions", "evaluate")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("lang", "said"), [("en", "Marked done: "), ("nl", "Afgehandeld: ")])
def test_done_button_moves_focus_to_the_item_and_announces_it(
    server: str, context: Any, action_items: None, lang: str, said: str
) -> None:  # D4, D8
    w = login(context, server, "teamlead")
    page = w.page
    page.goto(f"{server}/actions/team?lang={lang}")
    item = page.locator("article.action-item:has(button.action-done)").first
    item_id = item.get_attribute("id")
    item.locator("button.action-done").focus()
    with page.expect_response(lambda r: "/done" in r.url) as response:
        page.keyboard.press("Enter")
    assert response.value.status == 200, response.value.text()[:2000]
    page.wait_for_function(
        "id => document.getElementById(id).dataset.status === 'done'", arg=item_id
    )
    page.wait_for_function(
        "t => document.getElementById('live-status').textContent.startsWith(t)", arg=said
    )
    focused = page.evaluate("() => [document.activeElement.id, document.activeElement.tagName]")
    assert focused[0] == f"{item_id}-title", focused
    # D8: the finished item keeps its text legible (no fading).
    rows = page.evaluate(
        CONTRAST, f"#{item_id} .action-status, #{item_id} .action-due, #{item_id} p, #{item_id} h3"
    )
    assert rows and _low(rows) == []
    assert w.errors == []


@pytest.mark.parametrize("width", [390, 320])
def test_tables_scroll_in_their_own_box_on_a_phone(
    server: str, browser: Any, action_items: None, width: int
) -> None:  # D6, audit 15 D15
    ctx = browser.new_context(viewport={"width": width, "height": 844}, locale="nl-NL")
    try:
        w = login(ctx, server, "admin")
        for path in (
            "/kpi/overdue_tickets",
            "/kpi/sla_met_rate",
            "/kpi/csat_low_responses",
            "/clients",
            "/clients/simulate",
            "/goals",
            "/deliverables",
            "/admin/shares",
            "/admin/users",
            "/admin/sync",
            "/admin/deliveries",
            "/api/docs",
        ):
            w.page.goto(server + path)
            found = w.page.evaluate(REFLOW)
            assert found["scroll"] <= found["client"], (path, found)
            for box in w.page.locator(".table-scroll").all():
                assert box.get_attribute("role") == "region"
                assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
    finally:
        ctx.close()


def test_meeting_page_fits_a_phone(server: str, browser: Any, action_items: None) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
    try:
        w = login(ctx, server, "teamlead")
        w.page.goto(f"{server}/actions/team")
        link = w.page.locator("a[href^='/meeting/']").first
        w.page.goto(server + str(link.get_attribute("href")) + "?lang=nl")
        found = w.page.evaluate(REFLOW)
        assert found["scroll"] <= found["client"], found
        assert w.page.locator(".table-scroll[role=region][tabindex='0']").count() == 3
    finally:
        ctx.close()


@pytest.mark.parametrize(("width", "height"), [(960, 540), (390, 844)])
def test_tv_share_link_scrolls_instead_of_clipping_when_zoomed_or_on_a_phone(
    server: str,
    browser: Any,
    site_home: tuple[Path, dict[str, object]],
    width: int,
    height: int,
) -> None:  # D7
    home, _ = site_home
    path = _share_path(home)
    ctx = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = Watched(ctx.new_page()).page
        page.goto(f"{server}{path}?lang=nl")
        result = page.evaluate(TV_FALLBACK)
        assert result["cut"] == [], result["cut"][:10]
        assert not result["overlap"]
        assert result["width"] <= result["client"]
        assert result["overflow"] != "hidden" and result["scroll"] > height
    finally:
        ctx.close()


def test_tv_keeps_its_one_screen_layout_on_a_real_tv(server: str, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        w = login(ctx, server, "teamlead")
        w.page.goto(f"{server}/d/teamlead?tv=1")
        sizes = w.page.evaluate(
            "() => [getComputedStyle(document.body).overflowY,"
            " document.documentElement.scrollHeight]"
        )
        assert sizes == ["hidden", 1080]
    finally:
        ctx.close()


def test_units_and_action_texts_are_whole_at_laptop_width(server: str, browser: Any) -> None:
    # audit 15 D4 and D12, audit 16 D10.5
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        w = login(ctx, server, "owner")
        for dashboard in ("teamlead", "finance", "engineer"):
            w.page.goto(f"{server}/d/{dashboard}")
            cut = w.page.evaluate(WHOLE)
            assert cut == [], (dashboard, cut)
    finally:
        ctx.close()


def test_skip_link_reaches_the_tiles_in_two_tabs(server: str, context: Any) -> None:  # D10.6
    w = login(context, server, "teamlead")
    w.page.goto(f"{server}/d/teamlead")
    w.page.keyboard.press("Tab")
    assert w.page.evaluate("() => document.activeElement.className") == "skip-link"
    w.page.keyboard.press("Enter")
    w.page.keyboard.press("Tab")
    focused = w.page.evaluate("() => document.activeElement.closest('#grid') !== null")
    assert focused


def test_reversed_custom_range_is_caught_in_place(server: str, context: Any) -> None:  # D10.7
    w = login(context, server, "teamlead")
    w.page.goto(f"{server}/d/teamlead?lang=nl")
    w.page.fill("form.filters input[name=custom]", "2026-10-15..2026-10-01")
    w.page.click("form.filters button[type=submit]")
    w.page.wait_for_timeout(500)
    assert "/d/teamlead" in w.page.url and "custom=" not in w.page.url
    message = w.page.evaluate(
        "() => document.querySelector('form.filters input[name=custom]').validationMessage"
    )
    assert message.startswith("De einddatum ligt voor de begindatum")
