"""PSA text loses control and bidirectional-override characters wherever it is shown."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from stip.actions.evaluate import render
from stip.connectors.autotask.mapping import map_records
from stip.semantic.actions import _render
from stip.untrusted import clean_text
from stip.web.exports import to_csv, to_xlsx

RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: the rest of the line would read reversed


def test_clean_text_keeps_tabs_line_breaks_and_right_to_left_script() -> None:
    assert clean_text(f"Riverland{RTL} Transport\x07\x0b") == "Riverland Transport"
    assert clean_text("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert clean_text("שלום Cohen \u2067x\u2069") == "שלום Cohen x"


def test_an_excel_download_with_a_vertical_tab_in_a_title_opens() -> None:
    """openpyxl refuses control characters: one pasted Outlook title made the download fail."""
    data = to_xlsx("actions", ["title"], [["Trage computer\x0bpasted from Outlook"], ["=1+1"]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"]] == [
        "title",
        "Trage computerpasted from Outlook",
        "'=1+1",
    ]
    assert "\x0b" not in to_csv(["title"], [["a\x0bb"]]).decode("utf-8")


def test_action_texts_do_not_carry_a_bidi_override_into_the_sentence() -> None:
    why = "Call {contact} at {phone} about ticket {ticket_number}"
    facts = {"contact": f"{RTL}Anna", "phone": "+31 20 555 0101", "ticket_number": "T1.0019"}
    assert _render(why, facts, "en") == "Call Anna at +31 20 555 0101 about ticket T1.0019"
    assert render(why, facts, "en") == "Call Anna at +31 20 555 0101 about ticket T1.0019"


def test_synced_text_is_stored_without_them() -> None:
    row = map_records("Tickets", [{"id": 7, "title": f"Printer{RTL} broken\x07"}])[0]
    assert row["title"] == "Printer broken"
