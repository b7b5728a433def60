"""Each agreement's scorecard, on a store small enough to work out by hand.

As of Wednesday 18 November 2026, 12:00 (Europe/Amsterdam), `months: 2`: September and
October 2026 have ended (final), November is running (judged so far, final False).

The tickets (deliverables_fixture.TICKETS), per client and month:

- Acme (100): September T1 (SLA met), T2 (SLA missed); October T3, T4, T5 (met), T6
  (missed); November T7 (met, completed the 4th), T8 (still open). Created 2, 4, 2;
  completed 2, 4, 1; SLA met rate 1/2 = 50 %, 3/4 = 75 %, 1/1 = 100 %.
- Bakker (200): October T9 (SLA met), T10 (no SLA), T12 (created 30 September 22:30 UTC,
  which is 1 October 00:30 in Amsterdam; open); November T11 (SLA met). Created 3 in
  October, 1 in November; SLA met rate 1/1 = 100 % both months.
- Field (team 11) is Cor's default team: T5 and T9 in October (both SLA met), T11 in
  November. Completed 0, 2, 1; SLA met rate none, 2/2, 1/1.
- Bas (resource 2): T4 (SLA met) and T6 (missed), both October. Created 0, 2, 0; SLA met
  rate none, 1/2 = 50 %, none.
- Nobody has a resolved time: same_day_close_rate has no data in the whole store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stip.deliverables.loader import load_deliverables
from stip.deliverables.scorecard import Card, Scorecards, _judge, month_periods, scorecards
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store

from .deliverables_fixture import AS_OF, DELIVERABLES, build_batch


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("deliverables")
    store = open_store(str(home / "stip.duckdb"))
    store.apply(build_batch())
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def cards_of(engine: KpiEngine, text: str, as_of: str) -> Scorecards:
    path = engine.settings.home / "deliverables.yaml"
    path.write_text(text, encoding="utf-8")
    return scorecards(engine, load_deliverables(path, engine.catalog), engine.as_of(as_of))


@pytest.fixture(scope="module")
def cards(engine: KpiEngine) -> Scorecards:
    return cards_of(engine, DELIVERABLES, AS_OF)


def card(cards: Scorecards, agreement_id: str) -> Card:
    return next(c for c in cards.cards if c.id == agreement_id)


def months(card: Card, kpi: str) -> list[tuple[object, int, str, bool]]:
    """One deliverable's (value, n, status, final) per month."""
    line = next(line for line in card.lines if line.kpi.id == kpi)
    return [(m.value, m.n, m.status, m.final) for m in line.months]


def totals(card: Card) -> list[tuple[int, int, float, float, float | None, str]]:
    """The agreement's (met, missed, credit %, bonus %, amount, status) per month."""
    return [
        (m["met"], m["missed"], m["credit_pct"], m["bonus_pct"], m["amount"], m["status"])
        for m in card.to_json()["months"]
    ]


def statuses(card: Card) -> list[str]:
    """The agreement's verdict per month."""
    return [m["status"] for m in card.to_json()["months"]]


def verdict(card: Card) -> str:
    """The agreement's status: its latest ended month with a verdict."""
    return str(card.to_json()["status"])


def test_the_months_two_ended_and_the_running_one(cards: Scorecards) -> None:
    assert [f"{p.start_date:%Y-%m}" for p in cards.periods] == ["2026-09", "2026-10", "2026-11"]
    # the months are Amsterdam's: October starts at 22:00 UTC on 30 September (UTC+2)
    assert cards.periods[1].start.isoformat() == "2026-10-01T00:00:00+02:00"
    # the running month so far: up to and including the as-of's day
    assert cards.periods[2].end.isoformat() == "2026-11-19T00:00:00+01:00"
    assert [c.id for c in cards.cards] == [
        "acme", "bakker", "ghost", "old_acme", "field_partner", "bas"
    ]  # fmt: skip
    acme = card(cards, "acme")
    assert [t.final for t in acme.totals] == [True, True, False]


def test_a_client_month_by_month(cards: Scorecards) -> None:
    acme = card(cards, "acme")
    assert acme.name == "Acme BV"
    # SLA met rate, at least 75: 50 missed; 75 exactly at the target is met; 100 so far
    assert months(acme, "sla_met_rate") == [
        (50.0, 2, "missed", True), (75.0, 4, "met", True), (100.0, 1, "met", False)
    ]  # fmt: skip
    # tickets created, lower is better, at most 3
    assert months(acme, "tickets_created") == [
        (2, 2, "met", True), (4, 4, "missed", True), (2, 2, "met", False)
    ]  # fmt: skip
    # tickets completed, higher is better, at least 3 (T8 is still open)
    assert months(acme, "tickets_completed") == [
        (2, 2, "missed", True), (4, 4, "met", True), (1, 1, "missed", False)
    ]  # fmt: skip


def test_credit_capped_bonus_and_amount(cards: Scorecards) -> None:
    """Fee 1000 EUR, credit cap 10 %. SLA: credit 8, bonus 2; created: credit 5, bonus 1;
    completed: credit 4, no bonus.

    - September: SLA and completed missed, 8 + 4 = 12 % capped at 10 %; created met, bonus
      1 %: 1000 * (1 - 10) / 100 = -90.
    - October: created missed, 5 %; SLA and completed met, bonus 2 + 0 = 2 %: -30.
    - November so far: completed missed, 4 %; SLA and created met, 2 + 1 = 3 %: -10.
    """
    acme = card(cards, "acme")
    assert totals(acme) == [
        (1, 2, 10.0, 1.0, -90.0, "missed"),
        (2, 1, 5.0, 2.0, -30.0, "missed"),
        (2, 1, 4.0, 3.0, -10.0, "missed"),
    ]
    # both ended months missed something; the running month is not counted: -90 - 30
    assert verdict(acme) == "missed"
    data = acme.to_json()
    assert (data["months_met"], data["months_judged"], data["amount"]) == (0, 2, -120.0)
    assert (data["fee"], data["credit_cap_pct"], data["contract"]) == (1000.0, 10.0, "C-100")
    assert (data["subject"], data["subject_id"], data["subject_name"]) == ("client", 100, "Acme BV")


def test_months_before_the_start_are_outside(cards: Scorecards) -> None:
    """Bakker's agreement starts 1 October: September is outside and judged by nobody.
    No fee: no amounts. SLA met rate at least the KPI's own 95 (credit 10, bonus 5)."""
    bakker = card(cards, "bakker")
    assert bakker.name == "Bakker & Zn"
    assert months(bakker, "sla_met_rate") == [
        (None, 0, "outside", True), (100.0, 1, "met", True), (100.0, 1, "met", False)
    ]  # fmt: skip
    # T12 is created on 1 October local time: 3 in October, exactly the target (at most 3)
    assert months(bakker, "tickets_created") == [
        (None, 0, "outside", True), (3, 3, "met", True), (1, 1, "met", False)
    ]  # fmt: skip
    assert totals(bakker) == [
        (0, 0, 0.0, 0.0, None, "no_data"),
        (2, 0, 0.0, 5.0, None, "met"),
        (2, 0, 0.0, 5.0, None, "met"),
    ]
    line = bakker.lines[0]
    assert (line.target, line.no_data) == (95.0, False)
    data = bakker.to_json()
    # September (outside) is no judged month
    assert (data["status"], data["months_met"], data["months_judged"]) == ("met", 1, 1)
    assert data["amount"] is None and data["fee"] is None


def test_months_after_the_end_are_outside(cards: Scorecards) -> None:
    """Acme's old agreement ends 30 September: only September is judged (2 created, at most
    5). Its status is September's, the latest ended month it was judged in."""
    old = card(cards, "old_acme")
    assert months(old, "tickets_created") == [
        (2, 2, "met", True), (None, 0, "outside", True), (None, 0, "outside", False)
    ]  # fmt: skip
    assert statuses(old) == ["met", "no_data", "no_data"]
    assert verdict(old) == "met"
    assert (old.to_json()["months_met"], old.to_json()["months_judged"]) == (1, 1)
    # no longer in force in November; Acme's current agreement is
    assert (old.to_json()["in_force"], card(cards, "acme").to_json()["in_force"]) == (False, True)


def test_a_client_the_store_does_not_know_is_not_judged(cards: Scorecards) -> None:
    """Client 300 is not in the store (a typo, or not synced yet). Without this rule its
    tickets created, a count, would be 0 and met every month, earning its 1 % bonus of
    500 EUR: a perfect record for a client Stip knows nothing about. Every month is "no
    data" instead. same_day_close_rate needs resolved times, which the store has none of:
    its line says so."""
    ghost = card(cards, "ghost")
    assert ghost.name is None
    for kpi in ("sla_met_rate", "tickets_created", "same_day_close_rate"):
        assert months(ghost, kpi) == [
            (None, 0, "no_data", True), (None, 0, "no_data", True), (None, 0, "no_data", False)
        ], kpi  # fmt: skip
    assert [(line.kpi.id, line.no_data) for line in ghost.lines] == [
        ("sla_met_rate", False), ("tickets_created", False), ("same_day_close_rate", True)
    ]  # fmt: skip
    # the KPI's own target, 50 %
    assert ghost.lines[2].target == 50.0
    assert totals(ghost) == [(0, 0, 0.0, 0.0, None, "no_data")] * 3
    data = ghost.to_json()
    assert data["subject_name"] is None
    assert (data["status"], data["months_met"], data["months_judged"]) == ("no_data", 0, 0)
    assert data["amount"] == 0.0  # nothing owed either way


def test_months_before_the_store_has_data_are_not_judged(engine: KpiEngine) -> None:
    """The fixture's first ticket is created on 8 September 2026: August and earlier are
    no months without tickets but months Stip knows nothing about."""
    text = DELIVERABLES.replace("months: 2", "months: 4")
    early = card(cards_of(engine, text, AS_OF), "old_acme")
    assert [f"{t.period.start_date:%Y-%m}" for t in early.totals][:3] == [
        "2026-07", "2026-08", "2026-09"
    ]  # fmt: skip
    assert [m[2] for m in months(early, "tickets_created")][:3] == ["no_data", "no_data", "met"]


def test_a_team(cards: Scorecards) -> None:
    """The Field team (Cor's default; his Servicedesk role is not) and a fee of 2000 EUR.
    Completed at least 2 (credit 10 %): 0, 2, 1. SLA met rate at least 90 (bonus 5 %):
    none in September, 100 % after.

    - September: completed missed, SLA no data: 2000 * (0 - 10) / 100 = -200.
    - October: both met, bonus 5 %: +100.
    - November so far: completed missed, SLA met: 2000 * (5 - 10) / 100 = -100.
    """
    team = card(cards, "field_partner")
    assert team.name == "Field"
    assert months(team, "tickets_completed") == [
        (0, 0, "missed", True), (2, 2, "met", True), (1, 1, "missed", False)
    ]  # fmt: skip
    assert months(team, "sla_met_rate") == [
        (None, 0, "no_data", True), (100.0, 2, "met", True), (100.0, 1, "met", False)
    ]  # fmt: skip
    assert totals(team) == [
        (0, 1, 10.0, 0.0, -200.0, "missed"),
        (2, 0, 0.0, 5.0, 100.0, "met"),
        (1, 1, 10.0, 5.0, -100.0, "missed"),
    ]
    data = team.to_json()
    # the status is October's (the latest ended month), though November is missed so far
    assert (data["subject"], data["subject_id"], data["status"]) == ("team", 11, "met")
    assert (data["months_met"], data["months_judged"], data["amount"]) == (1, 2, -100.0)


def test_a_resource(cards: Scorecards) -> None:
    """Bas: SLA met rate at least 50 (1 of 2 in October: exactly at it, met); created at
    most 1 (0, 2, 0)."""
    bas = card(cards, "bas")
    assert bas.name == "Bas de Vries"
    assert months(bas, "sla_met_rate") == [
        (None, 0, "no_data", True), (50.0, 2, "met", True), (None, 0, "no_data", False)
    ]  # fmt: skip
    assert months(bas, "tickets_created") == [
        (0, 0, "met", True), (2, 2, "missed", True), (0, 0, "met", False)
    ]  # fmt: skip
    assert statuses(bas) == ["met", "missed", "met"]
    assert verdict(bas) == "missed"  # October
    data = bas.to_json()
    assert (data["subject"], data["subject_id"], data["subject_name"]) == (
        "resource", 2, "Bas de Vries"
    )  # fmt: skip
    assert (data["months_met"], data["months_judged"], data["amount"]) == (1, 2, None)


def test_the_json(cards: Scorecards) -> None:
    data = cards.to_json()
    assert data["as_of"] == "2026-11-18T12:00:00+01:00"
    assert data["months"] == ["2026-09", "2026-10", "2026-11"]
    acme: dict[str, Any] = data["agreements"][0]
    assert acme["title"] == {"en": "Acme managed services", "nl": "Acme beheerdiensten"}
    sept = {"start": "2026-09-01T00:00:00+02:00", "end": "2026-10-01T00:00:00+02:00"}
    octo = {"start": "2026-10-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"}
    # the running month so far, up to and including the as-of's day
    nov = {"start": "2026-11-01T00:00:00+01:00", "end": "2026-11-19T00:00:00+01:00"}
    assert acme["deliverables"][1] == {
        "kpi": "tickets_created",
        "title": {"en": "Tickets logged", "nl": "Aangemaakte tickets"},
        "unit": "count",
        "direction": "lower_better",
        "target": 3.0,
        "credit_pct": 5.0,
        "bonus_pct": 1.0,
        "no_data": False,
        "months": [
            {"month": "2026-09", "period": sept, "as_of": sept["end"], "final": True,
             "value": 2, "n": 2, "status": "met"},
            {"month": "2026-10", "period": octo, "as_of": octo["end"], "final": True,
             "value": 4, "n": 4, "status": "missed"},
            {"month": "2026-11", "period": nov, "as_of": "2026-11-18T12:00:00+01:00",
             "final": False, "value": 2, "n": 2, "status": "met"},
        ],
    }  # fmt: skip
    assert acme["months"][0] == {
        "month": "2026-09",
        "final": True,
        "status": "missed",
        "met": 1,
        "missed": 2,
        "credit_pct": 10.0,
        "bonus_pct": 1.0,
        "amount": -90.0,
    }
    bakker = data["agreements"][1]
    assert bakker["months"][0]["amount"] is None  # no fee
    assert bakker["deliverables"][0]["months"][0] == {
        "month": "2026-09", "period": sept, "as_of": sept["end"], "final": True,
        "value": None, "n": 0, "status": "outside"
    }  # fmt: skip


def test_the_months_run_over_a_year_end(engine: KpiEngine) -> None:
    """As of 10 January 2027: November and December 2026 ended, January running. Acme's
    tickets created: T7 and T8 in November, none after (0 is met at most 3)."""
    later = cards_of(engine, DELIVERABLES, "2027-01-10T12:00")
    assert [f"{p.start_date:%Y-%m}" for p in later.periods] == ["2026-11", "2026-12", "2027-01"]
    assert months(card(later, "acme"), "tickets_created") == [
        (2, 2, "met", True), (0, 0, "met", True), (0, 0, "met", False)
    ]  # fmt: skip
    # the old agreement ended in September: nothing left to judge
    assert verdict(card(later, "old_acme")) == "no_data"
    periods = month_periods(engine, engine.as_of("2027-01-10T12:00"), 12)
    assert f"{periods[0].start_date:%Y-%m}" == "2026-01" and len(periods) == 13


def test_the_as_of_at_a_month_start_ends_the_month_before(engine: KpiEngine) -> None:
    """As of 1 November 00:00 local time, October has just ended: final."""
    at_start = cards_of(engine, DELIVERABLES, "2026-11-01T00:00")
    assert [f"{p.start_date:%Y-%m}" for p in at_start.periods] == [
        "2026-09", "2026-10", "2026-11"
    ]  # fmt: skip
    assert [t.final for t in card(at_start, "acme").totals] == [True, True, False]


def test_a_past_as_of_judges_the_running_month_only_so_far(engine: KpiEngine) -> None:
    """As of Thursday 5 November 2026, 12:00: in November only T7 (created the 3rd,
    completed the 4th) has happened. T8 (created the 10th) and T11 (created the 16th,
    completed the 17th) are still to come."""
    past = cards_of(engine, DELIVERABLES, "2026-11-05T12:00")
    acme, bakker = card(past, "acme"), card(past, "bakker")
    assert months(acme, "tickets_created")[2] == (1, 1, "met", False)
    assert months(acme, "tickets_completed")[2] == (1, 1, "missed", False)
    assert months(bakker, "tickets_created")[2] == (0, 0, "met", False)
    assert months(bakker, "sla_met_rate")[2] == (None, 0, "no_data", False)


def test_judge_by_direction(tmp_path: Path) -> None:
    """At least the target for a higher-is-better KPI, at most for a lower-is-better one;
    exactly at it (within rounding: 94.99999999999 is 95) is met; no value is no data."""
    catalog = load_catalog(home=tmp_path)
    higher, lower = catalog.get("sla_met_rate"), catalog.get("tickets_created")
    assert [_judge(higher, v, 95) for v in (96, 95, 95 - 1e-11, 94.99, None)] == [
        "met", "met", "met", "missed", "no_data"
    ]  # fmt: skip
    assert [_judge(lower, v, 3) for v in (2, 3, 3 + 1e-12, 4, 0)] == [
        "met", "met", "met", "missed", "met"
    ]  # fmt: skip
    assert _judge(lower, 0, 0) == "met" and _judge(lower, 1, 0) == "missed"


def test_a_month_with_nothing_judged_costs_and_earns_nothing(engine: KpiEngine) -> None:
    """Before the start nothing is judged: no amount (not 0 EUR), as in the table."""
    text = """\
kind: Deliverables
version: 1
months: 2
agreements:
  late:
    title: {en: Late start, nl: Late start}
    client: 100
    start: 2026-11-01
    fee: 1000
    deliverables:
      - {kpi: tickets_created, target: 0, credit: 10}
"""
    late = card(cards_of(engine, text, "2026-11-18T12:00"), "late")
    assert statuses(late) == ["no_data", "no_data", "missed"]
    # Acme's November so far: T7 and T8 created, above 0, so 10 % of 1,000 EUR is credited
    assert [t.amount for t in late.totals] == [None, None, -100.0]
    assert late.to_json()["amount"] == 0.0  # no ended month judged yet: nothing owed


def test_postgresql_gives_the_same_scorecards(
    pg_url: str, cards: Scorecards, tmp_path: Path
) -> None:
    """The same agreements on a real PostgreSQL server: the same JSON, to the last figure."""
    store = open_store(pg_url)
    store.apply(build_batch())
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    assert cards_of(engine, DELIVERABLES, AS_OF).to_json() == cards.to_json()
