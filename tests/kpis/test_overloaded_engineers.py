"""`overloaded_engineers`: active engineers with more open tickets at the period's end than
the limit (setting `overload_open_tickets`), and its action list naming them.

Hand-made October 2026 (it ends 2026-10-31T23:00Z), limit 2:
- Jan (active, team 10): tickets created 1, 2, 3 October, open; one completed at 22:59Z on
  the 31st (closed before the end); one completed at 23:00Z exactly (still open at the end,
  as `open_backlog` counts): 4 open -> overloaded.
- Anna (active, team 10): 2 open, and one created after the end: 2, not more than 2.
- Piet (inactive, team 20): 5 open: not counted, he has left.
- Eva (active, no team): 3 open -> overloaded.
- 4 unassigned open tickets: nobody's load.
Overloaded in October: Jan and Eva, 2. In September (created in October): none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .conftest import BACKENDS, backend_engine
from .msp_fixture import _resource, _rrd, _ticket

AS_OF = "2026-11-02T09:00"


def _open(ident: int, res: int | None, created: str, completed: str | None = None) -> dict:
    return _ticket(ident, created, res=res, company=100, queue=5, prio=2, completed=completed)


def _batch() -> Batch:
    tickets = [
        _open(1, 1, "2026-10-01T08:00"),
        _open(2, 1, "2026-10-02T08:00"),
        _open(3, 1, "2026-10-03T08:00"),
        _open(4, 1, "2026-10-04T08:00", completed="2026-10-31T22:59"),
        _open(5, 1, "2026-10-04T09:00", completed="2026-10-31T23:00"),
        _open(6, 2, "2026-10-05T08:00"),
        _open(7, 2, "2026-10-06T08:00"),
        _open(8, 2, "2026-10-31T23:30"),
        *(_open(10 + i, 3, "2026-10-07T08:00") for i in range(5)),
        *(_open(20 + i, 4, "2026-10-08T08:00") for i in range(3)),
        *(_open(30 + i, None, "2026-10-09T08:00") for i in range(4)),
    ]
    batch = Batch()
    batch.add("tickets", tickets)
    batch.add(
        "resources",
        [
            _resource(1, "Jan", "de Vries", True),
            _resource(2, "Anna", "Bakker", True),
            _resource(3, "Piet", "Smit", False),
            _resource(4, "Eva", "Jansen", True),
        ],
    )
    batch.add("teams", [{"source_system": "autotask", "id": 10, "name": "Servicedesk"}])
    batch.add("resource_role_departments", [_rrd(1, 1, 10, True), _rrd(2, 2, 10, True)])
    batch.add("resource_role_departments", [_rrd(3, 3, 20, True)])
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("overload")
    return backend_engine(request, home, _batch(), overload_open_tickets=2)


def test_counts_the_engineers_over_the_limit(engine: KpiEngine) -> None:
    row = engine.values("overloaded_engineers", "2026-10", as_of=AS_OF).rows[0]
    assert (row.value, row.n, row.status) == (2, 2, "red")  # target 0, amber up to 1
    assert engine.values("overloaded_engineers", "2026-09", as_of=AS_OF).rows[0].value == 0


def test_by_team(engine: KpiEngine) -> None:
    rows = engine.values("overloaded_engineers", "2026-10", by="team", as_of=AS_OF).rows
    assert {row.by["team_id"]: row.value for row in rows} == {10: 1, None: 1}


def test_actions_name_them_most_loaded_first(engine: KpiEngine) -> None:
    rows = engine.actions("overloaded_engineers", "2026-10", as_of=AS_OF).rows
    assert [(r["person"], r["open_tickets"], r["open_limit"]) for r in rows] == [
        ("Jan de Vries", 4, 2),
        ("Eva Jansen", 3, 2),
    ]
    assert rows[0]["resource_id"] == 1 and rows[0]["ticket_id"] is None
    assert rows[0]["what"] == {
        "en": "Share out some of the 4 open tickets of Jan de Vries",
        "nl": "Verdeel een deel van de 4 openstaande tickets van Jan de Vries",
    }
    assert rows[1]["why"]["nl"] == "3 openstaande tickets, meer dan de grens van 2."


def test_the_tile_names_them_and_a_scope_sees_only_itself(engine: KpiEngine) -> None:
    from stip.semantic.query import Scope

    (tile,) = engine.tiles(["overloaded_engineers"], "2026-10", as_of=AS_OF)
    assert tile.value == 2 and [a["person"] for a in tile.actions] == ["Jan de Vries", "Eva Jansen"]
    own = engine.values("overloaded_engineers", "2026-10", as_of=AS_OF, scope=Scope(2))
    assert own.rows[0].value == 0  # Anna is not over the limit
    jan = engine.actions("overloaded_engineers", "2026-10", as_of=AS_OF, scope=Scope(1)).rows
    assert [r["person"] for r in jan] == ["Jan de Vries"]


def test_default_limit_of_20(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "stip.duckdb"))
    store.apply(_batch())
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    assert engine.values("overloaded_engineers", "2026-10", as_of=AS_OF).rows[0].value == 0


def test_the_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stip.errors import ConfigError
    from stip.settings import load_settings

    monkeypatch.setenv("STIP_OVERLOAD_OPEN_TICKETS", "3")
    assert load_settings(tmp_path).overload_open_tickets == 3
    (tmp_path / "stip.toml").write_text("overload_open_tickets = 0\n")
    monkeypatch.delenv("STIP_OVERLOAD_OPEN_TICKETS")
    with pytest.raises(ConfigError, match="stip.toml: setting 'overload_open_tickets'"):
        load_settings(tmp_path)
