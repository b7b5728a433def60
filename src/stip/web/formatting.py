"""Numbers, units, times and error messages as people read them, in Dutch or English."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, localcontext
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_decimal, format_decimal

from stip.textnumbers import exact
from stip.web.i18n import babel_locale, gettext_for

#: How each unit of the KPI catalogue reads after a number (tiles, targets): English text, the
#: msgid of its Dutch in messages.po. A count needs no unit. A test checks that every
#: catalogue unit is here and has its Dutch; a unit of a KPI file of your own that is not here
#: shows as written.
UNIT_TEXTS = {
    "count": "",
    "%": "%",
    "×": "×",
    "score": "score",
    "h": "h",
    "business h": "bh",
    "days": "d",
    "€": "€",
    "€/h": "€/h",
    "€/month": "€/month",
    "€/ticket": "€/ticket",
    "€/FTE": "€/FTE",
    "€/user/month": "€/user/month",
    "€/client/month": "€/client/month",
    "€/endpoint/month": "€/endpoint/month",
    "h/user/month": "h/user/month",
    "h/endpoint/month": "h/endpoint/month",
    "tickets/user/month": "tickets/user/month",
    "tickets/client/month": "tickets/client/month",
    "tickets/endpoint/month": "tickets/endpoint/month",
    "tickets/engineer": "tickets/engineer",
    "users/FTE": "users/FTE",
    "endpoints/FTE": "endpoints/FTE",
}
#: The unit in words, for a KPI's definition ("Unit: hours"); units not here read as on tiles.
UNIT_NAMES = {
    "count": "count",
    "h": "hours",
    "business h": "business hours",
    "days": "days",
}


def unit_text(unit: str, lang: str) -> str:
    """The unit after a number: `€/user/month`, in Dutch `€/gebruiker/maand`."""
    text = UNIT_TEXTS.get(unit, unit)
    return gettext_for(lang)(text) if text else ""


def unit_name(unit: str, lang: str) -> str:
    """The unit in words: `count` -> `aantal`, `h/user/month` -> `u/gebruiker/maand`."""
    return gettext_for(lang)(UNIT_NAMES.get(unit) or UNIT_TEXTS.get(unit) or unit)


def _pattern(value: float, unit: str) -> str:
    if unit == "count":
        return "#,##0" if float(value).is_integer() else "#,##0.0"
    if unit in ("€", "€/user", "€/month") or abs(value) >= 1000:
        return "#,##0"
    if abs(value) >= 100:
        return "#,##0"
    return "#,##0.0"


def number(value: float | int | None, unit: str, lang: str, compact: bool = False) -> str:
    """`compact` (tiles): 94,612 -> 94.6k, so big amounts fit a small tile.

    Halves round up, away from zero, as people (and the PSA's quarter hours) expect: 3.25 h
    reads 3.3 h and 276.5 h reads 277 h, not Babel's default half-to-even 3.2 and 276."""
    if value is None:
        return "—"
    written = exact(value)
    with localcontext(rounding=ROUND_HALF_UP):
        if compact and abs(float(value)) >= 10_000:
            return format_compact_decimal(written, locale=babel_locale(lang), fraction_digits=1)
        return format_decimal(
            written, format=_pattern(float(value), unit), locale=babel_locale(lang)
        )


def price(value: float, lang: str) -> str:
    """A price as typed: whole euros bare, cents when it has them (149.5 -> 149.50)."""
    pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
    with localcontext(rounding=ROUND_HALF_UP):
        return format_decimal(exact(value), format=pattern, locale=babel_locale(lang))


def against(value: float | int | None, target: float | None, unit: str, lang: str) -> str:
    """A value judged against a target, with the decimals it takes for a miss never to read
    as the target itself: 94.96 % against 95 % reads 94.96, not 95.0."""
    shown = number(value, unit, lang)
    if value is None or target is None or math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-9):
        return shown
    if shown != number(target, unit, lang):
        return shown
    with localcontext(rounding=ROUND_HALF_UP):
        for digits in (2, 3, 4, 6):
            pattern = "#,##0.00" + "#" * (digits - 2)
            text = format_decimal(exact(value), format=pattern, locale=babel_locale(lang))
            if text != format_decimal(exact(target), format=pattern, locale=babel_locale(lang)):
                return text
    return text


def with_unit(value: float | int | None, unit: str, lang: str, compact: bool = False) -> str:
    """A number with its unit after a space, as a tile's value line reads: `100 €/h`, `48`."""
    text = unit_text(unit, lang)
    figure = number(value, unit, lang, compact)
    return f"{figure} {text}" if text else figure


def target_text(
    target: float | None, ceiling: float | None, unit: str, lang: str, compact: bool = False
) -> str:
    """A target as a tile states it: `90.0 %`, or with a ceiling the green range `90.0–110 %`."""
    if target is None:
        return ""
    if ceiling is None:
        return with_unit(target, unit, lang, compact)
    return f"{number(target, unit, lang, compact)}–{with_unit(ceiling, unit, lang, compact)}"


def delta(value: float | None, previous: float | None, unit: str, lang: str) -> str:
    if value is None or previous is None:
        return ""
    diff = float(exact(value) - exact(previous))
    if diff == 0:
        return "="
    arrow = "▲" if diff > 0 else "▼"
    return f"{arrow} {number(abs(diff), unit, lang)}"


def delta_class(value: float | None, previous: float | None, higher_better: bool) -> str:
    if value is None or previous is None or value == previous:
        return "flat"
    return "good" if (value > previous) == higher_better else "bad"


def day(value: date, lang: str) -> str:
    """A date as pages write it: `3 Nov 2026`, in Dutch `3 nov 2026`."""
    return format_date(value, "d MMM yyyy", locale=babel_locale(lang))


def month(value: date, lang: str) -> str:
    """A month as pages write it: `Nov 2026`, in Dutch `nov 2026`."""
    return format_date(value, "MMM yyyy", locale=babel_locale(lang))


def when(moment: datetime | None, tz: ZoneInfo, lang: str) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(moment.astimezone(tz), "d MMM yyyy HH:mm", locale=babel_locale(lang))


#: The fixed messages behind the web's error pages, as raised (English, `{name}` marks a
#: varying part); each is a msgid whose Dutch in messages.po keeps the same `{names}`. More
#: specific forms come first: the first whole match wins. Messages not listed stay English.
ERROR_MESSAGES = (
    # permissions and sign-in (stip.web.deps, scope, routes)
    "you can only see your own figures",
    "your role may not see money figures",
    "your role may not open the {dashboard} dashboard",
    "your account is not linked to a PSA resource; ask an administrator to link it",
    "administrators only",
    "the form has expired or did not come from this site; reload and retry",
    "team actions are for team leads and managers",
    "the team meeting is for team leads and managers",
    "this action item is not yours",
    "you cannot disable your own account",
    "the clients page is for those who look after clients and people",
    "the price simulator is for those who see money figures",
    # the goals file (stip.web.routes.goals)
    "the goals file has a mistake: {detail}",
    "the goals file has a mistake; an admin or the owner must fix it",
    "no goals yet: write $STIP_HOME/goals.yaml (see docs/goals.md)",
    # the deliverables file (stip.web.routes.deliverables)
    "the deliverables page is for those who look after clients and people",
    "the deliverables file has a mistake: {detail}",
    "the deliverables file has a mistake; an admin or the owner must fix it",
    "no deliverables yet: write $STIP_HOME/deliverables.yaml (see docs/deliverables.md)",
    # things that do not exist
    "unknown dashboard '{dashboard}'. Did you mean '{close}'? Known: {known}",
    "unknown dashboard '{dashboard}'. Known: {known}",
    "unknown dashboard '{dashboard}'",
    "unknown KPI '{kpi}'. Did you mean '{close}'? See `stip kpi list` for all KPIs.",
    "unknown KPI '{kpi}'. See `stip kpi list` for all KPIs.",
    "this share link does not exist or was revoked",
    "no dashboard '{dashboard}'",
    "no share link '{link}'",
    "no team {team}",
    "no person {resource}",
    "no client {company}",
    "no action '{action}'",
    "no user action '{action}'",
    "no user with id {user}",
    "action item {item} does not exist; see `stip actions list`",
    "KPI {kpi} has no action list",
    "KPI {kpi} has no breakdown by '{table}'",
    "Not Found",
    "Method Not Allowed",
    # bad input in the URL or a form
    "{name} must be a number (a PSA id), not '{text}'",
    "period '{period}' is not valid; use one of: {forms}",
    "period '{period}' ends before it starts; give the earlier date first",
    "period '{period}' lies outside the dates Stip computes ({first} up to {last})",
    "as-of '{as_of}' is not an ISO time; use e.g. {example} or {example_offset}",
    "as-of '{as_of}' lies outside the dates Stip computes ({first} up to {last})",
    "export format must be csv or xlsx",
    "mine must be 1 (my clients) or 0 (all clients), not '{mine}'",
    "price must be an amount in euros per user per month, such as 150, not '{text}'",
    "price per user {price} is out of range: give an amount from {min} to {max} "
    "(euro per user per month)",
    "cannot sort by '{sort}'; use one of: {allowed}",
    "'my clients' are the clients whose account manager you are in the PSA; "
    "your account is linked to no resource that manages any",
    "status must be pending, sent, failed or cancelled",
    "dismissing needs a reason: say why no action is needed",
    "internal error; the details are in the server log",
)
_FIELD = re.compile(r"\{(\w+)\}")


def _message_pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)  # literal, name, literal, name, ..., literal
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        ),
        re.DOTALL,
    )


_ERROR_PATTERNS = [(template, _message_pattern(template)) for template in ERROR_MESSAGES]


def error_text(message: str, lang: str) -> str:
    """An error page's message in the viewer's language (fixed messages only; see above)."""
    _ = gettext_for(lang)
    for template, pattern in _ERROR_PATTERNS:
        found = pattern.fullmatch(message)
        if found is not None:
            translated = _(template)
            return translated.format(**found.groupdict()) if translated != template else message
    return message
