from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from stip.semantic.catalog import BUILTIN_DIR, KpiCatalog, load_catalog, validate_dirs
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import Store, open_store

from .msp_fixture import build_batch


@pytest.fixture(scope="module")
def module_pg_url() -> Iterator[str]:
    """Like the `pg_url` fixture, but one database per test module (the data is read-only)."""
    base = os.environ.get("STIP_TEST_PG_URL")
    if not base:
        pytest.fail("STIP_TEST_PG_URL is not set: run the suite with `make test`")
    name = f"stip_kpi_{uuid.uuid4().hex[:12]}"
    admin = "postgresql://" + base.split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: `params` of a module fixture that builds its store on both backends (`backend_store`).
BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


def backend_store(request: pytest.FixtureRequest, folder: Path, batch: Batch) -> Store:
    """`batch` loaded through Store.apply into a DuckDB file in `folder`, or into the test
    module's PostgreSQL database, as the fixture's `request.param` says."""
    if request.param == "duckdb":
        target = open_store(str(folder / "stip.duckdb"))
    else:
        target = open_store(request.getfixturevalue("module_pg_url"))
    target.apply(batch)
    return target


def backend_engine(
    request: pytest.FixtureRequest, folder: Path, batch: Batch, **settings: Any
) -> KpiEngine:
    """An engine with the whole catalogue over `backend_store(request, folder, batch)`;
    `settings` beyond the home folder as keyword arguments."""
    store = backend_store(request, folder, batch)
    return KpiEngine(store, Settings(home=folder, **settings), load_catalog(home=folder))


def two_contracts(kinds: tuple[int, int]) -> Batch:
    """Resource 5 at EUR 50 an hour and contracts 10 and 20 of clients 1 and 2, for 2026, of
    contract types `kinds` (1 time & materials, 4 block hours, 7 recurring service): the
    start of the hand-computed contract money fixtures."""
    src = {"source_system": "autotask"}
    batch = Batch()
    batch.add("resources", [{**src, "id": 5, "is_active": True, "internal_cost": 50.0}])
    batch.add(
        "contracts",
        [{**src, "id": c, "company_id": c // 10, "contract_name": f"C{c}", "status": 1,
          "contract_type": kind, "start_date": date(2026, 1, 1),
          "end_date": date(2026, 12, 31)} for c, kind in zip((10, 20), kinds, strict=True)],
    )  # fmt: skip
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The hand-made MSP, loaded through Store.apply into DuckDB or PostgreSQL."""
    return backend_store(request, tmp_path_factory.mktemp("kpi"), build_batch())


def contract_catalog(folder: Path) -> KpiCatalog:
    """Only the contract KPIs, so these tests do not depend on the rest of the catalogue."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text((BUILTIN_DIR / "contract.yaml").read_text())
    catalog, issues = validate_dirs([folder])
    assert not issues, issues
    return catalog


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> KpiCatalog:
    return contract_catalog(tmp_path_factory.mktemp("contract-kpis"))


@pytest.fixture
def engine(store: Store, catalog: KpiCatalog, tmp_path: Path) -> KpiEngine:
    return KpiEngine(store, Settings(home=tmp_path / "home"), catalog)
