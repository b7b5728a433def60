"""`expiring_contracts`: running contracts ending within 60 days that nothing renews yet, the
contracts the `contract_renewal` rule raises items for (a renewed one is no reason for red).
As-of Monday 2 November 2026: the window is 2 November up to and including 1 January."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.query import Scope
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

AS_OF = "2026-11-02T10:00"


def _contract(
    cid: int, company: int, start: date, end: date, status: int = 1, renews: int | None = None
) -> dict[str, object]:
    return {
        "source_system": "autotask",
        "id": cid,
        "company_id": company,
        "contract_name": f"Contract {cid}",
        "contract_type": 7,
        "status": status,
        "start_date": start,
        "end_date": end,
        "renewed_contract_id": renews,
    }


CONTRACTS = [
    # renewed by contract 2, which names it
    _contract(1, 10, date(2025, 12, 1), date(2026, 11, 30)),
    _contract(2, 10, date(2026, 12, 1), date(2027, 11, 30), renews=1),
    # followed by contract 4 of the same client, starting two weeks before it ends
    _contract(3, 11, date(2025, 12, 16), date(2026, 12, 15)),
    _contract(4, 11, date(2026, 12, 1), date(2027, 12, 15)),
    # nothing renews it: counts
    _contract(5, 12, date(2026, 1, 1), date(2026, 12, 31)),
    # no longer active: does not count
    _contract(6, 12, date(2026, 1, 1), date(2026, 12, 20), status=0),
    # ends after the 60 days
    _contract(7, 13, date(2026, 3, 1), date(2027, 3, 1)),
    # the client's other contract started long before this one ends: no renewal, counts
    _contract(8, 14, date(2025, 12, 11), date(2026, 12, 10)),
    _contract(9, 14, date(2026, 6, 1), date(2027, 6, 1)),
]

# clients 12 and 14 have an account manager (the company's owner resource); 13 has none
COMPANIES = [
    {"source_system": "autotask", "id": cid, "company_name": name, "company_type": 1,
     "is_active": True, "owner_resource_id": owner}
    for cid, name, owner in [(12, "Delta BV", 201), (13, "Echo BV", None), (14, "Fox BV", 202)]
]  # fmt: skip
RESOURCES = [
    {"source_system": "autotask", "id": rid, "first_name": first, "last_name": last,
     "is_active": True}
    for rid, first, last in [(201, "Dirk", "Dekker"), (202, "Fleur", "Faber")]
]  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("expiring")
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    batch.add("contracts", CONTRACTS)
    batch.add("companies", COMPANIES)
    batch.add("resources", RESOURCES)
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def test_renewed_and_ended_contracts_do_not_count(engine: KpiEngine) -> None:
    (row,) = engine.values("expiring_contracts", "today", as_of=AS_OF).rows
    assert (row.value, row.n) == (2, 2)
    by = engine.values("expiring_contracts", "today", by="company", as_of=AS_OF).rows
    assert sorted((r.by["company_id"], r.value) for r in by) == [(12, 1), (14, 1)]


def test_the_as_of_moves_the_window(engine: KpiEngine) -> None:
    # on 1 December contracts 5 and 8 still end within 60 days, and 7 does not yet
    (row,) = engine.values("expiring_contracts", "today", as_of="2026-12-01T10:00").rows
    assert row.value == 2
    # on 11 December 8 has ended; 7 (1 March) is not within 60 days until 31 December
    (row,) = engine.values("expiring_contracts", "today", as_of="2026-12-11T10:00").rows
    assert row.value == 1
    (row,) = engine.values("expiring_contracts", "today", as_of="2027-01-02T10:00").rows
    assert row.value == 1  # only 7 now


def test_the_action_list_names_each_contract_for_its_account_manager(engine: KpiEngine) -> None:
    rows = engine.actions("expiring_contracts", "today", as_of=AS_OF).to_json()["rows"]
    # soonest end first: 8 (10 December) before 5 (31 December)
    assert [(r["contract_id"], r["end_date"], r["company"], r["person"]) for r in rows] == [
        (8, "2026-12-10", "Fox BV", "Fleur Faber"),
        (5, "2026-12-31", "Delta BV", "Dirk Dekker"),
    ]
    assert rows[0]["what"] == {
        "en": "Renew contract Contract 8 with Fox BV",
        "nl": "Verleng contract Contract 8 met Fox BV",
    }
    assert rows[1]["why"]["nl"] == (
        "Het loopt af op 2026-12-31, binnen 60 dagen, en nog geen ander contract verlengt het."
    )
    # on 2 January only 7 (client 13, no account manager): the row has no one to act
    (row,) = engine.actions("expiring_contracts", "today", as_of="2027-01-02T10:00").to_json()[
        "rows"
    ]
    assert (row["contract_id"], row["company"], row["person_id"]) == (7, "Echo BV", None)
    assert row["what"]["en"] == "Renew contract Contract 7 with Echo BV"


def test_the_action_list_keeps_to_a_client_scope(engine: KpiEngine) -> None:
    scope = Scope(company_id=12)
    rows = engine.actions("expiring_contracts", "today", as_of=AS_OF, scope=scope).to_json()["rows"]
    assert [r["contract_id"] for r in rows] == [5]
