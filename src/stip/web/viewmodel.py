"""Engine results -> what templates show: formatted tiles, sections, TV grid geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from markupsafe import Markup

from stip.semantic.models import Direction, KpiDefinition
from stip.semantic.periods import Period
from stip.web import formatting, svg
from stip.web.i18n import babel_locale, gettext_for

#: Data older than this (when viewing "now") is flagged stale.
STALE_AFTER = timedelta(hours=2)
TV_WIDTH, TV_HEIGHT, TILE_ASPECT = 1920.0, 1030.0, 1.45
#: The TV grid at 1920x1080 as stip.css lays it out: grid height and width, the gap between
#: cells, a tile's horizontal padding and borders (px), and the value font per status as a
#: share of the cell height (`.tv ... .tile-value`). Larger screens scale all of it alike.
TV_GRID_HEIGHT, TV_GRID_WIDTH, TV_GAP, TV_TILE_INSET = 1020.6, 1909.2, 5.4, 25.2
TV_VALUE_SIZE = {"green": 0.28, "amber": 0.36, "red": 0.36}
TV_VALUE_SIZE_OTHER = 0.3
TV_MAX_SPAN = 3
#: Widths of DejaVu Sans Bold glyphs in em (the TV font), rounded up; other glyphs count 0.7.
NARROW_GLYPHS, WIDE_GLYPHS = frozenset(".,:;!'|ijlftr/- "), frozenset("%mwMW—")
#: The "no data" text is set at this share of the value font (`.no-data .num`).
NO_DATA_SIZE = 0.55
CUSTOM_PERIOD = "custom"

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
    ("last-quarter", "Last quarter"),
    ("ytd", "This year"),
)


@dataclass
class ActionLine:
    what: str
    who: str
    why: str
    #: The contact's phone number when the row has one of its own (a call-back): the tile
    #: links it with `tel:`.
    phone: str = ""

    @property
    def phone_uri(self) -> str:
        """The number as a `tel:` URI wants it: digits and a leading +, nothing else."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return ("+" + digits) if self.phone.strip().startswith("+") else digits


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
    no_data: bool = False
    last_year_text: str = ""
    #: The periods the change and last year's value are computed over (`period_label`).
    previous_label: str = ""
    last_year_label: str = ""
    previous_text: str = ""
    #: The change compares a running period with the same part of the one before.
    like_for_like: bool = False
    #: The value line's width in em of the value font, to fit it on a TV (see `tv_layout`).
    value_em: float = 1.0
    #: "3 records: too few to judge" for a person's, team's or client's value on too few.
    few_text: str = ""
    #: Columns the tile spans in TV mode; amber/red tiles with actions also span two rows.
    tv_span: int = 1

    @property
    def tv_tall(self) -> bool:
        return bool(self.actions)

    @property
    def tv_cells(self) -> int:
        return self.tv_span * (2 if self.tv_tall else 1)

    @property
    def fit_class(self) -> str:
        """`fit-N`: stip.css caps the TV value font so N/2 em fill the tile's width."""
        return f"fit-{min(max(math.ceil(self.value_em * 2), 1), 40)}"


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
    phone = str(row.get("contact_phone") or row.get("phone") or "").strip()
    if not any(c.isdigit() for c in phone):
        phone = ""
    return ActionLine(
        what or "—", localized(row.get("person"), lang), localized(row.get("why"), lang), phone
    )


def few_text(n: int, lang: str) -> str:
    return gettext_for(lang)("%(n)s records: too few to judge") % {"n": n}


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
    asked: Period | None = None,
) -> TileView:
    """`asked`: the page's period; a KPI computed over another one (`grain: month` on a
    weekly dashboard) names its month in the title, so a monthly figure never reads as the
    week's."""
    _ = gettext_for(lang)
    unit = kpi.unit
    own = getattr(tile, "period", None)
    if asked is not None and own is not None and (own.start, own.end) != (asked.start, asked.end):
        title = f"{title} · {format_date(own.start_date, 'LLLL yyyy', locale=babel_locale(lang))}"
    status = str(tile.status or "none")
    trend = [None if v is None else float(v) for v in (tile.trend or [])]
    data_as_of = getattr(tile, "data_as_of", None)
    stale = is_stale(data_as_of, live)
    no_data = bool(getattr(tile, "no_data", False))
    last_year = getattr(tile, "last_year", None)
    view = TileView(
        name=name,
        kpi_id=kpi.id,
        title=title,
        size=size,
        status=status,
        href=href,
        value_text=formatting.number(tile.value, unit, lang, compact=True),
        unit_text="" if tile.value is None else formatting.unit_text(unit, lang),
        target_text=formatting.target_text(tile.target, kpi.ceiling, unit, lang, compact=True),
        last_year_text="" if last_year is None else formatting.with_unit(last_year, unit, lang),
        delta_text=formatting.delta(tile.value, tile.previous, unit, lang),
        delta_class=formatting.delta_class(
            tile.value, tile.previous, kpi.direction == Direction.higher_better
        ),
        sparkline=svg.sparkline(trend, status),
        stale=stale,
        fresh_text=formatting.when(data_as_of, tz, lang),
        fresh_title=_("data as of"),
        previous_text=formatting.with_unit(tile.previous, unit, lang)
        if tile.previous is not None
        else "",
    )
    previous_period = getattr(tile, "previous_period", None)
    if previous_period is not None:
        view.previous_label = period_label(previous_period, lang, tz)
        view.like_for_like = own is not None and previous_period.end < own.start
    last_year_period = getattr(tile, "last_year_period", None)
    if last_year_period is not None:
        view.last_year_label = period_label(last_year_period, lang, tz)
    if status in ("amber", "red"):
        view.actions = [action_line(row, lang) for row in (tile.actions or [])[:3]]
    if getattr(tile, "few", False):
        view.few_text = few_text(tile.n, lang)
    out_of_scope = bool(getattr(tile, "out_of_scope", False))
    if no_data or out_of_scope:
        view.no_data = True
        words = _("not for this selection") if out_of_scope else _("no data")
        view.value_text, view.unit_text, view.target_text = words, "", ""
        view.value_em = NO_DATA_SIZE * text_em(view.value_text)
    else:
        unit_em = text_em(" " + view.unit_text) / 2 if view.unit_text else 0.0
        view.value_em = text_em(view.value_text) + unit_em
    return view


def text_em(text: str) -> float:
    """About how wide `text` is in em of the TV font (generous, so it is never cut off)."""
    return sum(0.42 if c in NARROW_GLYPHS else 1.0 if c in WIDE_GLYPHS else 0.7 for c in text)


def restricted_view(name: str, title: str, size: str, kpi_id: str) -> TileView:
    return TileView(name, kpi_id, title, size, "none", "#", restricted=True)


def tv_geometry(cells: int) -> tuple[int, int]:
    """Columns and rows for `cells` grid cells on a 16:9 screen, tiles near TILE_ASPECT."""
    best: tuple[float, int, int] | None = None
    for cols in range(2, 25):
        rows = math.ceil((cells + 1) / cols) if cells > cols else 1
        score = _geometry_score(cols, rows, cells)
        if best is None or score < best[0]:
            best = (score, cols, rows)
    assert best is not None
    return best[1], best[2]


def _geometry_score(cols: int, rows: int, cells: int) -> float:
    """Lower is better: cells near TILE_ASPECT, few left empty."""
    ratio = (TV_WIDTH / cols) / (TV_HEIGHT / rows)
    return abs(math.log(ratio / TILE_ASPECT)) + 0.02 * (rows * cols - cells)


def tv_layout(tiles: list[TileView]) -> tuple[int, int]:
    """Columns and rows of the TV grid; sets each tile's columns (`tv_span`).

    Amber and red tiles take two columns (and two rows when they list actions); a tile whose
    value and unit would not fit at the TV font takes more columns, up to `TV_MAX_SPAN` (CSS
    shrinks what is still too wide). Column counts near `tv_geometry`'s are tried; each gets
    the fewest rows that CSS grid's dense placement needs for the spans at that cell size.
    """
    heights = [2 if t.tv_tall else 1 for t in tiles]
    least = sum(
        (2 if t.status in ("amber", "red") else 1) * h for t, h in zip(tiles, heights, strict=True)
    )
    start, _ = tv_geometry(least)
    best: tuple[float, int, int, list[int]] | None = None
    for cols in range(max(2, start - 3), start + 4):
        rows = max(1, math.ceil(least / cols))
        while True:
            spans = [_span(tile, cols, rows) for tile in tiles]
            if _packed_rows(list(zip(spans, heights, strict=True)), cols) <= rows:
                break
            rows += 1
        cells = sum(w * h for w, h in zip(spans, heights, strict=True))
        score = _geometry_score(cols, rows, cells)
        if best is None or score < best[0]:
            best = (score, cols, rows, spans)
    assert best is not None
    for tile, span in zip(tiles, best[3], strict=True):
        tile.tv_span = span
    return best[1], best[2]


def _span(tile: TileView, cols: int, rows: int) -> int:
    span = min(2 if tile.status in ("amber", "red") else 1, cols)
    while span < min(TV_MAX_SPAN, cols) and not _value_fits(tile, span, cols, rows):
        span += 1
    return span


def _value_fits(tile: TileView, span: int, cols: int, rows: int) -> bool:
    cell_height = (TV_GRID_HEIGHT - (rows - 1) * TV_GAP) / rows
    cell_width = (TV_GRID_WIDTH - (cols - 1) * TV_GAP) / cols
    room = span * cell_width + (span - 1) * TV_GAP - TV_TILE_INSET
    font = TV_VALUE_SIZE.get(tile.status, TV_VALUE_SIZE_OTHER) * cell_height
    return tile.value_em * font <= room


def _packed_rows(spans: list[tuple[int, int]], cols: int) -> int:
    """Rows that CSS grid's dense auto-placement fills with these (columns, rows) spans."""
    grid: list[list[bool]] = []
    first_open = 0
    for width, height in spans:
        row = first_open
        while True:
            while len(grid) < row + height:
                grid.append([False] * cols)
            col = next(
                (
                    c
                    for c in range(cols - width + 1)
                    if not any(grid[row + r][c + k] for r in range(height) for k in range(width))
                ),
                None,
            )
            if col is not None:
                break
            row += 1
        for r in range(height):
            grid[row + r][col : col + width] = [True] * width
        while first_open < len(grid) and all(grid[first_open]):
            first_open += 1
    return len(grid)


def period_options(choice: str, lang: str) -> list[tuple[str, str]]:
    """The period select's options in `lang`, with the page's own `choice` first when it is a
    period spec the list lacks (`this-year` typed into a URL), and "Custom range" last."""
    _ = gettext_for(lang)
    options = [(value, _(label)) for value, label in PERIOD_CHOICES]
    if choice and choice not in dict(PERIOD_CHOICES):
        options.insert(0, (choice, choice))
    return [*options, (CUSTOM_PERIOD, _("Custom range"))]


def period_label(period: Period, lang: str, tz: ZoneInfo) -> str:
    first_text = formatting.day(period.start_date, lang)
    last_text = formatting.day(period.end_date - timedelta(days=1), lang)
    span = first_text if first_text == last_text else f"{first_text} – {last_text}"
    name = dict(PERIOD_CHOICES).get(period.spec)
    return f"{span} ({gettext_for(lang)(name)})" if name else span


def query_string(**params: object) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return ("?" + urlencode(clean)) if clean else ""
