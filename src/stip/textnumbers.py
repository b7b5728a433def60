"""Numbers inside texts (action items, action rows, e-mails), written the way each language
writes them: "EUR 3,585" and "2.75 h" in English are "EUR 3.585" and "2,75 uur" in Dutch,
where "3,585" would read as three and a bit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_decimal

from stip.web.i18n import babel_locale

# As many decimals as the number has (up to three), like Python's `:g` for these values.
AS_NEEDED = "#,##0.###"


def exact(value: float | int) -> Decimal:
    """The number as written (`3.25`, not the float's binary 3.2499...), for rounding."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def number_text(value: float, lang: str, decimals: int | None = None) -> str:
    """Halves round up, as people (and the PSA's quarter hours) expect: 3.25 h reads 3.3 h."""
    places = "." + "0" * decimals if decimals else ""
    pattern = AS_NEEDED if decimals is None else "#,##0" + places
    with localcontext(rounding=ROUND_HALF_UP):
        return format_decimal(exact(value), format=pattern, locale=babel_locale(lang))


@dataclass(frozen=True)
class Number:
    """A figure among a text's facts; `str()` is the English form (stored facts, logs)."""

    value: float
    decimals: int | None = None

    def text(self, lang: str) -> str:
        return number_text(self.value, lang, self.decimals)

    def __str__(self) -> str:
        return self.text("en")
