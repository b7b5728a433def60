"""The action lists of the catalogue KPIs: which records, who acts, and the why in both languages.

Same fixture and as-of as test_catalogue_values.py (period 2026-10). Tickets: T1002 (Anna,
answered late, plan late), T1005 (unassigned, open, never answered), T1006 (Anna, open since
28 Sep), T1007 (Bram, resolved late). Survey S2 on T1002 is the only low rating (4, engineer
5, company 4). E9 (Cees, T1006, 8 Oct) and E5 (Bram, T1007, 21 Oct) are billable and never
approved.
"""

from __future__ import annotations

import pytest

from stip.semantic.engine import KpiEngine

from .catalogue_fixture import AS_OF

ANNA, BRAM, CEES = 101, 102, 103

# kpi -> [(ticket_id, person_id)] in the action list's order
EXPECTED: dict[str, list[tuple[int, int | None]]] = {
    "aged_ticket_share": [(1006, ANNA), (1005, None)],  # oldest first
    "avg_backlog_age": [(1006, ANNA), (1005, None)],
    "sla_breaches": [(1007, BRAM), (1002, ANNA)],  # latest completion first
    "unassigned_tickets": [(1005, None)],
    "open_backlog": [(1005, None), (1006, ANNA)],  # open at 1 Nov, soonest due first
    "unanswered_tickets": [(1005, None)],
    "sla_response_compliance": [(1002, ANNA)],
    "sla_plan_compliance": [(1002, ANNA)],
    "sla_resolution_compliance": [(1007, BRAM)],
    "sla_compliance_overall": [(1007, BRAM), (1002, ANNA)],
    "csat_positive_rate": [(1002, ANNA)],
    "negative_feedback_rate": [(1002, ANNA)],
    "engineer_csat": [(1002, ANNA)],
    "client_csat": [(1002, ANNA)],
    "unbilled_billable_time": [(1006, CEES), (1007, BRAM)],  # by date worked
    # I3 of Gamma (due 15 Aug, unpaid): Gamma's account manager is Anna
    "overdue_invoices": [(None, ANNA)],
    "receivables_over_60_days": [(None, ANNA)],
    # 301 (Alfa) and 304 (Beta) end 31 Dec, within 60 days of 2 Nov: Bram manages both
    "expiring_contracts": [(None, BRAM), (None, BRAM)],
    # 302 Beta all-in lost money in October (below); Beta's account manager is Bram
    "underwater_agreements": [(None, BRAM)],
}


@pytest.mark.parametrize("kpi", sorted(EXPECTED))
def test_action_rows(duck_engine: KpiEngine, kpi: str) -> None:
    rows = duck_engine.actions(kpi, "2026-10", as_of=AS_OF).to_json()["rows"]
    assert [(r["ticket_id"], r["person_id"]) for r in rows] == EXPECTED[kpi]
    for row in rows:
        assert row["what"]["en"] and row["what"]["nl"] and row["what"]["en"] != row["what"]["nl"]
        assert row["why"]["en"] and row["why"]["nl"]
        assert "{" not in row["what"]["en"] + row["why"]["en"] + row["why"]["nl"]
        assert row["company_id"] is not None


def test_every_catalogue_kpi_with_actions_is_covered(duck_engine: KpiEngine) -> None:
    contract = {"overdue_tickets", "sla_met_rate", "csat_low_responses"}
    # overloaded_engineers lists people, not tickets: tests/kpis/test_overloaded_engineers.py
    others = {"overloaded_engineers"}
    with_actions = {k.id for k in duck_engine.catalog if k.has_actions} - contract - others
    assert with_actions == set(EXPECTED)


def test_action_texts_name_the_record(duck_engine: KpiEngine) -> None:
    (row,) = duck_engine.actions("negative_feedback_rate", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert row["person"] == "Anna Jansen"
    assert row["company"] == "Alfa BV"
    assert row["what"]["nl"] == (
        "Bel Els Visser van Alfa BV terug op +31 20 555 0111 over ticket T2026.1002"
    )
    assert row["contact_phone"] == "+31 20 555 0111"
    assert row["why"]["en"] == "They rated ticket T2026.1002 4 on 2026-10-08 09:00."
    (late,) = duck_engine.actions("sla_resolution_compliance", "2026-10", as_of=AS_OF).to_json()[
        "rows"
    ]
    # stored 2026-10-27 08:00 UTC is shown in local time (after the DST change: 09:00)
    assert late["why"]["en"] == (
        "It had to be resolved by 2026-10-22 17:00 and was resolved 2026-10-27 09:00."
    )


@pytest.mark.postgres
def test_action_rows_on_postgres(pg_engine: KpiEngine) -> None:
    for kpi, expected in EXPECTED.items():
        rows = pg_engine.actions(kpi, "2026-10", as_of=AS_OF).to_json()["rows"]
        assert [(r["ticket_id"], r["person_id"]) for r in rows] == expected, kpi


def test_an_overdue_invoice_goes_to_the_account_manager(duck_engine: KpiEngine) -> None:
    (row,) = duck_engine.actions("overdue_invoices", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert (row["invoice_id"], row["company"], row["person"]) == (3, "Gamma BV", "Anna Jansen")
    assert row["what"] == {
        "en": "Chase payment of invoice F-3 from Gamma BV: EUR 200.00",
        "nl": "Vraag Gamma BV om betaling van factuur F-3: EUR 200,00",
    }
    assert row["why"]["nl"] == "Vervallen op 2026-08-15 en niet betaald."


def test_a_loss_making_contract_names_its_loss(duck_engine: KpiEngine) -> None:
    """302 in October: items 2 (EUR 500, direct cost 450) and 4 (EUR 100 of labour, whose
    cost is the hours') make EUR 600 of revenue; its entries are 1 + 0.75 + 2 hours of Bram
    at EUR 60 and 1 hour of Anna at EUR 50, EUR 275 of labour: cost 450 + 275 = 725, loss 125.
    301 (Alfa) earned more than it cost."""
    (row,) = duck_engine.actions("underwater_agreements", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert (row["contract_id"], row["revenue"], row["cost"], row["loss"]) == (302, 600, 725, 125)
    assert row["what"] == {
        "en": "Reprice or renegotiate contract Beta all-in with Beta BV: it lost EUR 125.00",
        "nl": (
            "Herprijs contract Beta all-in met Beta BV of onderhandel opnieuw: verlies EUR 125,00"
        ),
    }
    assert row["why"]["en"] == (
        "Its revenue of EUR 600.00 did not cover its direct and labour cost of EUR 725.00."
    )
    assert duck_engine.actions("underwater_agreements", "2026-08", as_of=AS_OF).rows == []


def test_an_sla_breach_says_when_each_milestone_was_due_and_met(duck_engine: KpiEngine) -> None:
    rows = duck_engine.actions("sla_breaches", "2026-10", as_of=AS_OF).to_json()["rows"]
    # T2 (1002): answered at 09:00 local, due 08:30; resolved well before its due time
    late_answer = next(r for r in rows if r["ticket_id"] == 1002)
    assert late_answer["why"] == {
        "en": "First response due 2026-10-07 08:30, given 2026-10-07 09:00; "
        "resolution due 2026-10-08 16:00, resolved 2026-10-07 12:00.",
        "nl": "Eerste reactie uiterlijk 2026-10-07 08:30, gegeven 2026-10-07 09:00; "
        "oplossing uiterlijk 2026-10-08 16:00, opgelost 2026-10-07 12:00.",
    }
