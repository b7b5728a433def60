"""Numbers inside action texts are written as the text's language writes them."""

from __future__ import annotations

import pytest

from stip.actions.evaluate import render
from stip.semantic.actions import _render
from stip.textnumbers import Number, number_text


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nl"),
    [
        (3585.0, 0, "3,585", "3.585"),
        (-6998.4, 0, "-6,998", "-6.998"),
        (215.25, 1, "215.3", "215,3"),  # halves round up, as the pages round them
        (3584.5, 0, "3,585", "3.585"),
        (2.75, None, "2.75", "2,75"),
        (3.625, None, "3.625", "3,625"),
        (8.0, None, "8", "8"),
        (1234567.5, None, "1,234,567.5", "1.234.567,5"),
    ],
)
def test_number_text(value: float, decimals: int | None, en: str, nl: str) -> None:
    assert number_text(value, "en", decimals) == en
    assert number_text(value, "nl", decimals) == nl
    assert str(Number(value, decimals)) == en  # stored facts keep the English form


def test_rule_texts_and_kpi_action_rows_in_dutch() -> None:
    facts = {"company": "Friese Notarissen", "revenue": Number(3255.0, 0), "hours": Number(2.75)}
    text_nl = "{company}: EUR {revenue}, {hours} uur"
    assert render(text_nl, facts, "nl") == "Friese Notarissen: EUR 3.255, 2,75 uur"
    assert render(text_nl, facts, "en") == "Friese Notarissen: EUR 3,255, 2.75 uur"
    row = {"hours_worked": 0.75, "ticket_number": "T20261117.0004", "n": 3}
    assert _render("Keur {hours_worked} uur goed ({n})", row, "nl") == "Keur 0,75 uur goed (3)"
    assert _render("Approve {hours_worked} h ({n})", row, "en") == "Approve 0.75 h (3)"


def test_money_in_kpi_action_rows_has_two_decimals() -> None:
    row = {"loss": 2395.8, "total": 200}
    text = "EUR {loss:money}, EUR {total:money}"
    assert _render(text, row, "en") == "EUR 2,395.80, EUR 200.00"
    assert _render(text, row, "nl") == "EUR 2.395,80, EUR 200,00"
    # a text or a missing value under `money` reads as it would without it
    assert _render("{name:money} {gone:money}", {"name": "Acme", "gone": None}, "en") == "Acme —"
