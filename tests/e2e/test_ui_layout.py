"""Layout in Debian's Chromium: TV figures and action lists at 1080p and 4K, tile texts that
end in an ellipsis, phone width, and the period picker (audit 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTIFACTS, stip_cli
from .test_web_e2e import Watched, login

pytestmark = pytest.mark.playwright

#: Per tile: is a figure wider than its box, and does any action entry end below the tile?
TV_CHECK = """() => [...document.querySelectorAll('#grid article.tile')].map(t => {
    const box = t.getBoundingClientRect();
    const value = t.querySelector('.tile-value');
    const items = [...t.querySelectorAll('.tile-actions li')];
    const shown = items.filter(li => {
        const r = li.getBoundingClientRect();
        return r.bottom <= box.bottom + 0.5 && r.right <= box.right + 0.5;
    });
    return {kpi: t.dataset.kpi, text: value.innerText,
            clipped: value.scrollWidth > value.clientWidth + 1,
            below: value.getBoundingClientRect().bottom > box.bottom + 0.5,
            actions: items.length, shown: shown.length};
})"""

#: Texts of normal tiles that do not fit: they must end in an ellipsis, never mid-word.
CLIP_CHECK = """() => {
    const cut = [];
    for (const t of document.querySelectorAll('#grid article.tile')) {
        if (!t.getAttribute('title')) cut.push('no title: ' + t.dataset.kpi);
        const num = t.querySelector('.tile-value .num');
        if (num && num.getBoundingClientRect().right > t.getBoundingClientRect().right)
            cut.push('figure: ' + t.dataset.kpi);
        for (const el of t.querySelectorAll('.unit, .target')) {
            const s = getComputedStyle(el);
            if (el.scrollWidth > el.clientWidth + 1 && s.textOverflow !== 'ellipsis')
                cut.push('text: ' + el.innerText);
        }
        const title = t.querySelector('.tile-title');
        const s = getComputedStyle(title);
        if (title.scrollWidth > title.clientWidth + 1 ||
            (title.scrollHeight > title.clientHeight + 1 && s.webkitLineClamp === 'none'))
            cut.push('title: ' + title.innerText);
    }
    return cut;
}"""


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _tv_problems(page: Any) -> list[str]:
    problems = []
    for tile in page.evaluate(TV_CHECK):
        if tile["clipped"] or tile["below"]:
            problems.append(f"{tile['kpi']}: figure cut ({tile['text']})")
        if tile["actions"] and tile["shown"] == 0:
            problems.append(f"{tile['kpi']}: action list hidden")
    return problems


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_tv_figures_and_action_lists_are_whole(
    server: str,
    browser: Any,
    site_home: tuple[Path, dict[str, object]],
    artifacts: Path,
    width: int,
    height: int,
) -> None:
    home, _ = site_home
    created = stip_cli(home, "share", "create", "teamlead")
    assert created.returncode == 0, created.stderr
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.set_default_timeout(120_000)
    try:
        share = ctx.new_page()
        share.goto(server + created.stdout.strip() + "?lang=nl")
        share.wait_for_load_state("networkidle")
        share.screenshot(path=str(artifacts / f"ui-tv-teamlead-{width}.png"))
        assert share.locator(".tile-actions li").count() > 0
        assert _tv_problems(share) == []
        w = login(ctx, server, "owner")
        for dashboard in ("owner", "finance"):
            w.page.goto(f"{server}/d/{dashboard}?tv=1")
            w.page.wait_for_load_state("networkidle")
            w.page.screenshot(path=str(artifacts / f"ui-tv-{dashboard}-{width}.png"))
            assert _tv_problems(w.page) == []
            fits = "() => document.documentElement.scrollHeight <= window.innerHeight"
            assert w.page.evaluate(fits)
            assert w.errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1920, 1080), (390, 844)])
def test_tile_texts_end_in_an_ellipsis_and_tiles_carry_their_name(
    server: str, browser: Any, artifacts: Path, width: int, height: int
) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.set_default_timeout(120_000)
    try:
        w = login(ctx, server, "owner")
        for lang in ("nl", "en"):
            w.page.goto(f"{server}/d/owner?lang={lang}")
            w.page.wait_for_load_state("networkidle")
            assert w.page.evaluate(CLIP_CHECK) == []
            wide = "() => document.documentElement.scrollWidth <= window.innerWidth"
            assert w.page.evaluate(wide)
        w.page.screenshot(path=str(artifacts / f"ui-owner-{width}.png"), full_page=True)
        assert w.errors == []
    finally:
        ctx.close()


def test_team_actions_fit_a_phone(server: str, browser: Any, artifacts: Path) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.set_default_timeout(120_000)
    try:
        w = login(ctx, server, "teamlead")
        w.page.goto(f"{server}/actions/team?lang=nl")
        w.page.wait_for_load_state("networkidle")
        w.page.screenshot(path=str(artifacts / "ui-phone-actions-team.png"))
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390
        link = w.page.locator("a[href^='/meeting/']").first.bounding_box()
        assert link is not None and link["x"] + link["width"] <= 390
    finally:
        ctx.close()


def test_period_picker_leaves_a_custom_range(server: str, context: Any) -> None:
    w: Watched = login(context, server, "teamlead")
    page = w.page
    page.goto(f"{server}/d/teamlead?custom=2026-10-01..2026-10-15")
    select = page.locator("form.filters select[name=period]")
    assert select.input_value() == "custom"
    assert "1 Oct 2026 – 15 Oct 2026" in page.locator(".dash-meta").inner_text()
    select.select_option("last-month")
    assert page.locator("form.filters input[name=custom]").input_value() == ""
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "(Last month)" in page.locator(".dash-meta").inner_text()
    assert select.input_value() == "last-month"
    page.fill("form.filters input[name=custom]", "2026-10-01..2026-10-15")
    assert select.input_value() == "custom"
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "1 Oct 2026 – 15 Oct 2026" in page.locator(".dash-meta").inner_text()
    assert w.errors == []
