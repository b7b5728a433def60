"""Engine results -> what templates show: formatted tiles, sections, TV grid geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup

from stip.semantic.models import Direction, KpiDefinition
from stip.semantic.periods import Period
from stip.web import formatting, svg
from stip.web.i18n import gettext_for

#: Data older than this (when viewing "now") is flagged stale.
STALE_AFTER = timedelta(hours=2)
TV_WIDTH, TV_HEIGHT, TILE_ASPECT = 1920.0, 1030.0, 1.45

PERIOD_CHOICES = (
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("this-week", "This week"),
    ("last-week", "Last week"),
    ("last-7-days", "Last 7 days"),
    ("this-month", "This month"),
    ("last-month", "Last month"),
    ("last-30-days", "Last 30 days"),
    ("qtd", "This quarter"),
    ("ytd", "This year"),
)


@dataclass
class ActionLine:
    what: str
    who: str
    why: str


@dataclass
class TileView:
    name: str
    kpi_id: str
    title: str
    size: str
    status: str
    href: str
    value_text: str = "—"
    unit_text: str = ""
    target_text: str = ""
    delta_text: str = ""
    delta_class: str = "flat"
    sparkline: Markup = field(default_factory=lambda: Markup(""))
    stale: bool = False
    fresh_text: str = ""
    fresh_title: str = ""
    actions: list[ActionLine] = field(default_factory=list)
    restricted: bool = False

    @property
    def tv_cells(self) -> int:
        return 2 if self.status in ("amber", "red") else 1


def is_stale(data_as_of: datetime | None, live: bool, now: datetime | None = None) -> bool:
    """Stale when viewing the present (`live`) and the data is older than `STALE_AFTER`."""
    if data_as_of is None or not live:
        return False
    now = now or datetime.now(UTC)
    moment = data_as_of if data_as_of.tzinfo else data_as_of.replace(tzinfo=UTC)
    return now - moment > STALE_AFTER


def localized(value: Any, lang: str) -> str:
    """A `{en, nl}` text in the viewer's language; other values as text."""
    if isinstance(value, dict):
        value = value.get(lang) or value.get("en")
    return "" if value is None else str(value)


def action_line(row: dict[str, Any], lang: str) -> ActionLine:
    """One action row as record - who - why (the engine renders `what` and `why` per KPI)."""
    what = localized(row.get("what"), lang)
    if not what:
        ticket = row.get("ticket_number") or (
            f"#{row['ticket_id']}" if row.get("ticket_id") is not None else ""
        )
        what = " ".join(str(p) for p in (ticket, row.get("title") or row.get("company")) if p)
    return ActionLine(
        what or "—", localized(row.get("person"), lang), localized(row.get("why"), lang)
    )


def tile_view(
    name: str,
    title: str,
    size: str,
    kpi: KpiDefinition,
    tile: Any,
    lang: str,
    href: str,
    live: bool,
    tz: ZoneInfo,
) -> TileView:
    _ = gettext_for(lang)
    unit = kpi.unit
    status = str(tile.status or "none")
    trend = [None if v is None else float(v) for v in (tile.trend or [])]
    data_as_of = getattr(tile, "data_as_of", None)
    stale = is_stale(data_as_of, live)
    view = TileView(
        name=name,
        kpi_id=kpi.id,
        title=title,
        size=size,
        status=status,
        href=href,
        value_text=formatting.number(tile.value, unit, lang, compact=True),
        unit_text=formatting.unit_text(unit, lang),
        target_text=""
        if tile.target is None
        else formatting.number(tile.target, unit, lang, compact=True)
        + formatting.unit_text(unit, lang),
        delta_text=formatting.delta(tile.value, tile.previous, unit, lang),
        delta_class=formatting.delta_class(
            tile.value, tile.previous, kpi.direction == Direction.higher_better
        ),
        sparkline=svg.sparkline(trend, status),
        stale=stale,
        fresh_text=formatting.when(data_as_of, tz, lang),
        fresh_title=_("data as of"),
    )
    if status in ("amber", "red"):
        view.actions = [action_line(row, lang) for row in (tile.actions or [])[:3]]
    return view


def restricted_view(name: str, title: str, size: str, kpi_id: str) -> TileView:
    return TileView(name, kpi_id, title, size, "none", "#", restricted=True)


def tv_geometry(cells: int) -> tuple[int, int]:
    """Columns and rows for `cells` grid cells on a 16:9 screen, tiles near TILE_ASPECT."""
    best: tuple[float, int, int] | None = None
    for cols in range(2, 25):
        rows = math.ceil((cells + 1) / cols) if cells > cols else 1
        ratio = (TV_WIDTH / cols) / (TV_HEIGHT / rows)
        waste = rows * cols - cells
        score = abs(math.log(ratio / TILE_ASPECT)) + 0.02 * waste
        if best is None or score < best[0]:
            best = (score, cols, rows)
    assert best is not None
    return best[1], best[2]


def period_label(period: Period, lang: str, tz: ZoneInfo) -> str:
    from babel.dates import format_date

    from stip.web.i18n import babel_locale

    last = period.end_date - timedelta(days=1)
    loc = babel_locale(lang)
    first_text = format_date(period.start_date, "d MMM yyyy", locale=loc)
    last_text = format_date(last, "d MMM yyyy", locale=loc)
    span = first_text if first_text == last_text else f"{first_text} – {last_text}"
    return f"{span} ({period.spec})"


def query_string(**params: object) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return ("?" + urlencode(clean)) if clean else ""
