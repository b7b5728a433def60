"""The weekly team meeting agenda: exceptions, trends, the engineers' basics, and the PDF."""

from __future__ import annotations

from types import ModuleType

import pytest

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.actions.meeting import build_agenda
from stip.actions.meeting_pdf import agenda_pdf
from stip.app import Stip
from stip.errors import UserError


def test_agenda_for_the_team_lead(world: Stip, W: ModuleType) -> None:
    evaluate(world, W.local(world, "2026-04-28T10:30"))
    store = item_store(world.settings)
    callback = store.items(W.local(world, "2026-04-28T10:30"), rule_prefix="csat_low_callback")[0]
    store.done(callback.id, W.local(world, "2026-04-28T10:45"), "eva")
    agenda = build_agenda(world, W.TEAM, W.local(world, "2026-04-28T11:00"))

    assert (agenda.team, agenda.lead) == ("Servicedesk", "Lars Leider")
    assert sorted((e.rule, e.person, e.status) for e in agenda.exceptions) == [
        ("csat_low_callback", "Eva de Vries", "done"),
        ("late_time_booking", "Bram Bakker", "open"),
        ("overdue_ticket", "Eva de Vries", "open"),
    ]
    trends = {t["key"]: (t["this"], t["previous"]) for t in agenda.trends}
    # tickets 1000 (Mon 20 April) and 1001 (Tue 21 April 10:00 local) fall in the week
    # before the window [Tue 21 April 11:00, Tue 28 April 11:00)
    assert trends["tickets_created"] == (0, 2)
    assert trends["csat"] == (65.0, None)  # ratings 4 and 9 of 10
    assert trends["low_ratings"] == (1, 0)
    assert trends["items_created"] == (3, 0) and trends["items_done"] == (1, 0)
    eva = next(e for e in agenda.engineers if e.resource_id == W.EVA)
    assert (eva.overdue_now, eva.csat_pct, eva.csat_n) == (1, 65.0, 2)
    assert (eva.callbacks_done, eva.callbacks_total, eva.sla_met_pct) == (1, 1, None)
    assert [e.name for e in agenda.engineers] == ["Eva de Vries", "Lars Leider", "Bram Bakker"]

    text = agenda.as_text("nl")
    assert text.startswith("Teamoverleg Servicedesk, week van 2026-04-21")
    pdf = agenda_pdf(agenda, "nl")
    assert pdf.startswith(b"%PDF-") and b"DejaVu" in pdf
    clarity = {"statement": "Uw probleem is ons <probleem>", "guidelines": ["Bel terug"]}
    opened = agenda_pdf(agenda, "nl", clarity)
    assert opened.startswith(b"%PDF-") and len(opened) > len(pdf)  # it opens with them


def test_unknown_team_is_a_user_error(world: Stip) -> None:
    with pytest.raises(
        UserError, match="team 99 does not exist; known teams: 10 \\(Servicedesk\\)"
    ):
        build_agenda(world, 99, W_local(world))


def W_local(stip: Stip):  # noqa: N802
    import datetime as dt

    return dt.datetime(2026, 4, 28, 9, 0, tzinfo=stip.settings.tz)
