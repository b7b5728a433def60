"""The small demo: sizes, Autotask wire shape, determinism, atomic replacement, safety."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from stip.connectors.autotask.importer import import_dir
from stip.demo import DemoError, build_demo, generate, stored_stories
from stip.demo.wire import canonical_arrow, canonical_rows, records
from stip.store.schema import TABLES_BY_ENTITY, Batch
from stip.store.store import open_store, to_arrow

from .helpers import END, Built, build


def _checksum(built: Built) -> str:
    rows = built.rows("SELECT id, create_date, company_id, queue_id FROM tickets ORDER BY id")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _counts(built: Built) -> dict[str, int]:
    return {name: built.one(f'SELECT count(*) FROM "{name}"') for name in built.summary.counts}


def test_small_scale_has_the_promised_sizes(small: Built) -> None:
    assert small.one("SELECT count(*) FROM companies WHERE company_type = 1") >= 20
    assert small.one("SELECT count(*) FROM resources") >= 10
    assert small.one("SELECT count(*) FROM tickets") >= 1_000
    assert small.one("SELECT count(*) FROM time_entries") >= 5_000
    assert small.one("SELECT count(*) FROM survey_results") >= 100
    assert _counts(small) == small.summary.counts
    assert small.one("SELECT count(DISTINCT source_system) FROM tickets") == 1
    assert small.one("SELECT min(source_system) FROM tickets") == "autotask"


def test_history_ends_at_the_requested_time(small: Built) -> None:
    assert small.one("SELECT max(create_date) FROM tickets") < END
    assert small.one("SELECT max(create_date_time) FROM time_entries") <= END
    assert small.one("SELECT max(complete_date) FROM survey_results") <= END
    # some tickets are still open, some of those overdue
    open_now = small.one("SELECT count(*) FROM tickets WHERE completed_date IS NULL")
    overdue = small.one(
        "SELECT count(*) FROM tickets WHERE completed_date IS NULL AND due_date_time < ?", END
    )
    assert 0 < overdue < open_now


def test_picklists_label_queues_and_priorities_like_a_dutch_msp(small: Built) -> None:
    labels = dict(
        small.rows(
            "SELECT value, label FROM picklists WHERE entity = 'Tickets' AND field = 'priority'"
        )
    )
    assert labels == {4: "P1 Kritiek", 1: "P2 Hoog", 2: "P3 Normaal", 3: "P4 Laag"}
    queues = {
        label
        for (label,) in small.rows(
            "SELECT label FROM picklists WHERE entity = 'Tickets' AND field = 'queueID'"
        )
    }
    assert {"Servicedesk 1e lijn", "Servicedesk 2e lijn", "Monitoring alerts"} <= queues
    # every queue a ticket uses has a label
    unlabelled = small.one(
        "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM picklists p "
        "WHERE p.entity = 'Tickets' AND p.field = 'queueID' AND p.value = t.queue_id)"
    )
    assert unlabelled == 0


def test_records_are_in_the_autotask_rest_shape() -> None:
    data = generate("small", 3, END)
    tickets = next(iter(data.activity()))[0]
    first = records(tickets)[0]
    assert first["createDate"].endswith("Z") and first["createDate"][10] == "T"
    assert isinstance(first["queueID"], int) and isinstance(first["companyID"], int)
    assert first["ticketNumber"].startswith("T20")
    entries = next(iter(data.activity()))[1]
    worked = records(entries)[0]["dateWorked"]
    assert worked.endswith("T00:00:00") and len(worked) == 19
    companies = next(f for f in data.org if f.entity == "Companies")
    udfs = records(companies)[1]["userDefinedFields"]
    assert udfs[0]["name"] == "Aantal gebruikers" and udfs[0]["value"].isdigit()


def test_same_seed_gives_the_same_store_and_rebuilding_replaces_it(
    small: Built, tmp_path: Path
) -> None:
    again = build(tmp_path / "again.duckdb", seed=1)
    assert _counts(again) == _counts(small)
    assert _checksum(again) == _checksum(small)
    assert again.summary.stories == small.summary.stories

    other = build(tmp_path / "again.duckdb", seed=2)
    assert _checksum(other) != _checksum(small)
    # nothing of the seed-1 demo is left behind
    assert _counts(other) == other.summary.counts
    stories = stored_stories(other.store)
    assert stories == other.summary.stories


def test_a_store_with_a_synced_tenant_is_not_overwritten(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "real.duckdb"))
    batch = Batch()
    batch.add(
        "tickets",
        [{"source_system": "autotask", "id": 7, "create_date": datetime(2026, 1, 5, 9, 0)}],
    )
    store.apply(batch)
    with pytest.raises(DemoError, match="synced Autotask tickets"):
        build_demo(store, "small", 1, END)
    with store.read() as con:
        assert con.table("tickets").count().execute() == 1


def test_data_imported_into_a_demo_store_is_not_overwritten(tmp_path: Path) -> None:
    """A demo store into which real records were imported (or synced) is no demo any more:
    building the demo again would delete them, so it is refused."""
    built = build(tmp_path / "demo.duckdb", seed=3)
    folder = tmp_path / "export"
    folder.mkdir()
    page = {"items": [{"id": 10, "companyName": "Echt BV"}], "pageDetails": {"count": 1}}
    (folder / "Companies.json").write_text(json.dumps(page), encoding="utf-8")
    import_dir(built.store, folder)
    with pytest.raises(DemoError, match="loaded by `stip sync autotask` or `stip import"):
        build_demo(built.store, "small", 1, END)
    with built.store.read() as con:
        companies = con.table("companies")
        assert companies.filter(companies.id == 10).count().execute() == 1


def test_unknown_scale_is_a_user_error() -> None:
    with pytest.raises(DemoError, match="small, medium, large"):
        generate("huge", 1, END)


def test_column_wise_path_of_the_large_scale_equals_the_mapping_path() -> None:
    """Large builds Arrow column-wise; it must give exactly what map_records gives."""
    data = generate("small", 4, END)
    frames = [*(f for f in data.org if not f.udfs), *next(iter(data.activity()))]
    for frame in frames:
        table = TABLES_BY_ENTITY[frame.entity]
        mapped = to_arrow(table, canonical_rows(frame))
        direct = to_arrow(table, canonical_arrow(frame))
        assert direct.equals(mapped), frame.entity


def test_every_record_has_a_unique_source_id(small: Built) -> None:
    for name in small.summary.counts:
        if name == "picklists":
            continue
        distinct = small.one(f'SELECT count(DISTINCT (source_system, id)) FROM "{name}"')
        assert distinct == small.summary.counts[name], name
