"""Fixtures for the catalogue KPI tests: the hand-checkable MSP on DuckDB and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.store import open_store

from .catalogue_fixture import batch


def _engine(url: str, home: Path) -> KpiEngine:
    store = open_store(url)
    store.apply(batch())
    settings = load_settings(home)
    return KpiEngine(store, settings, load_catalog(home=home))


@pytest.fixture(scope="module")
def duck_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KpiEngine]:
    home = tmp_path_factory.mktemp("catalogue-duck")
    yield _engine(str(home / "stip.duckdb"), home)


@pytest.fixture
def pg_engine(pg_url: str, tmp_path: Path) -> Iterator[KpiEngine]:
    yield _engine(pg_url, tmp_path)
