"""Numbers, units and times as people read them, in Dutch or English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_compact_decimal, format_decimal

from stip.web.i18n import babel_locale, gettext_for

_UNIT_TEXT = {
    "count": "",
    "%": "%",
    "h": "h",
    "business h": "bh",
    "€": "€",
    "€/h": "€/h",
    "days": "d",
}


def unit_text(unit: str, lang: str) -> str:
    text = _UNIT_TEXT.get(unit, unit)
    return gettext_for(lang)(text) if text else ""


def _pattern(value: float, unit: str) -> str:
    if unit == "count":
        return "#,##0" if float(value).is_integer() else "#,##0.0"
    if unit in ("€", "€/user", "€/month") or abs(value) >= 1000:
        return "#,##0"
    if abs(value) >= 100:
        return "#,##0"
    return "#,##0.0"


def number(value: float | int | None, unit: str, lang: str, compact: bool = False) -> str:
    """`compact` (tiles): 94,612 -> 94.6k, so big amounts fit a small tile."""
    if value is None:
        return "—"
    if compact and abs(float(value)) >= 10_000:
        return format_compact_decimal(float(value), locale=babel_locale(lang), fraction_digits=1)
    return format_decimal(
        float(value), format=_pattern(float(value), unit), locale=babel_locale(lang)
    )


def delta(value: float | None, previous: float | None, unit: str, lang: str) -> str:
    if value is None or previous is None:
        return ""
    diff = float(value) - float(previous)
    if diff == 0:
        return "="
    arrow = "▲" if diff > 0 else "▼"
    return f"{arrow} {number(abs(diff), unit, lang)}"


def delta_class(value: float | None, previous: float | None, higher_better: bool) -> str:
    if value is None or previous is None or value == previous:
        return "flat"
    return "good" if (value > previous) == higher_better else "bad"


def when(moment: datetime | None, tz: ZoneInfo, lang: str) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(moment.astimezone(tz), "d MMM yyyy HH:mm", locale=babel_locale(lang))
