from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from stip.store.schema import TABLES, Batch
from stip.store.store import Store, open_store


def _ticket(ident: int, title: str) -> dict[str, object]:
    return {
        "source_system": "autotask",
        "id": ident,
        "title": title,
        "create_date": dt.datetime(2026, 3, 29, 1, 30),
    }


def test_ibis_creates_table_from_arrow(tmp_path: Path) -> None:
    """Guards the sqlglot pin (dependency notes): newer sqlglot breaks this call."""
    con = ibis.duckdb.connect(str(tmp_path / "x.duckdb"))
    table = con.create_table("t", pa.table({"a": [1, 2, 3]}), overwrite=True)
    assert table.a.sum().execute() == 6


def test_migrate_creates_every_table_and_is_idempotent(store: Store) -> None:
    assert store.migrate() == store.migrate()
    with store.read() as con:
        names = set(con.list_tables())
    assert {t.name for t in TABLES} <= names


def test_upsert_by_source_id_never_duplicates(store: Store) -> None:
    batch = Batch()
    batch.add("tickets", [_ticket(1, "first"), _ticket(2, "two"), _ticket(1, "first again")])
    store.apply(batch)
    store.apply(batch)
    with store.read() as con:
        rows = con.table("tickets").order_by("id").select("id", "title", "create_date").execute()
    assert rows["id"].tolist() == [1, 2]
    assert rows["title"].tolist() == ["first again", "two"]
    assert rows["create_date"][0].to_pydatetime() == dt.datetime(2026, 3, 29, 1, 30)


def test_failed_batch_leaves_store_unchanged(store: Store) -> None:
    good = Batch()
    good.add("tickets", [_ticket(1, "kept")])
    store.apply(good)
    version = store.data_version()
    bad = Batch()
    bad.add("tickets", [_ticket(2, "new")])
    bad.add("companies", [{"source_system": "autotask", "id": "not-a-number"}])
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        store.apply(bad)
    with store.read() as con:
        assert con.table("tickets").id.to_list() == [1]
    assert store.data_version() == version


def test_deletes_apply_with_upserts(store: Store) -> None:
    batch = Batch()
    batch.add("tickets", [_ticket(1, "a"), _ticket(2, "b")])
    store.apply(batch)
    removal = Batch()
    removal.delete("tickets", "autotask", [1])
    store.apply(removal)
    with store.read() as con:
        assert con.table("tickets").id.to_list() == [2]


def test_migration_adds_missing_columns_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = ibis.duckdb.connect(str(path))
    con.raw_sql("CREATE TABLE tickets (source_system TEXT, id BIGINT, title TEXT)")
    con.raw_sql("INSERT INTO tickets VALUES ('autotask', 7, 'old row')")
    con.disconnect()
    store = open_store(str(path))
    with store.read() as read:
        table = read.table("tickets")
        assert "completed_date" in table.columns
        assert table.title.to_list() == ["old row"]


def _tickets(idents: range, title: str, source: str = "autotask") -> pa.Table:
    return pa.table(
        {
            "source_system": pa.array([source] * len(idents)),
            "id": pa.array(idents, pa.int64()),
            "title": pa.array([title] * len(idents)),
        }
    )


def _titles(store: Store) -> dict[tuple[str, int], str]:
    with store.read() as con:
        rows = con.table("tickets").select("source_system", "id", "title").to_pyarrow()
    return {(r["source_system"], r["id"]): r["title"] for r in rows.to_pylist()}


def test_replace_source_swaps_one_source_and_keeps_the_others(store: Store) -> None:
    first = Batch()
    first.add("tickets", [_ticket(1, "old"), _ticket(2, "old")])
    first.add("tickets", [{**_ticket(1, "other"), "source_system": "halo"}])
    store.apply(first)
    store.replace_source(
        "autotask",
        iter(
            [("tickets", _tickets(range(5, 7), "new")), ("tickets", _tickets(range(7, 8), "new"))]
        ),
        {"demo": "yes"},
    )
    assert _titles(store) == {
        ("halo", 1): "other",
        ("autotask", 5): "new",
        ("autotask", 6): "new",
        ("autotask", 7): "new",
    }
    assert store.meta("demo") == "yes"
    with store.read() as con:
        assert not [t for t in con.list_tables() if t.startswith("stip_staging__")]


def test_replace_source_that_fails_midway_changes_nothing(store: Store) -> None:
    kept = Batch()
    kept.add("tickets", [_ticket(1, "kept")])
    store.apply(kept)
    version = store.data_version()

    def parts() -> object:
        yield "tickets", _tickets(range(10, 20), "new")
        raise RuntimeError("generator broke")

    with pytest.raises(RuntimeError, match="generator broke"):
        store.replace_source("autotask", parts())  # type: ignore[arg-type]
    assert _titles(store) == {("autotask", 1): "kept"}
    assert store.data_version() == version
    with store.read() as con:
        assert not [t for t in con.list_tables() if t.startswith("stip_staging__")]


def test_a_damaged_file_is_not_taken_for_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB names a damaged file's "block"; that is no lock to wait 60 s for."""
    import duckdb

    from stip.errors import ConfigError
    from stip.store import store as store_module

    path = tmp_path / "stip.duckdb"
    path.write_bytes(b"")

    def damaged(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException("IO Error: Corrupt database file: checksum in block at 4096")

    monkeypatch.setattr(store_module.duckdb, "connect", damaged)
    monkeypatch.setattr(store_module, "LOCK_WAIT_SECONDS", 30)
    started = dt.datetime.now()
    with pytest.raises(ConfigError, match="cannot be opened as a DuckDB database"):
        open_store(str(path)).meta("schema_version")
    assert (dt.datetime.now() - started).total_seconds() < 5


def test_a_store_of_a_newer_stip_is_refused_not_restamped(tmp_path: Path) -> None:
    import duckdb

    from stip.errors import ConfigError

    path = tmp_path / "stip.duckdb"
    open_store(str(path)).migrate()
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE stip_meta SET value = '99' WHERE key = 'schema_version'")
        con.execute("UPDATE stip_meta SET value = 'newer' WHERE key = 'schema_fingerprint'")
    with pytest.raises(ConfigError, match=r"written by a newer Stip \(schema 99"):
        open_store(str(path)).migrate()
    with duckdb.connect(str(path)) as con:
        version = con.execute("SELECT value FROM stip_meta WHERE key = 'schema_version'")
        assert version.fetchone() == ("99",)
