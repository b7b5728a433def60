from __future__ import annotations

from pathlib import Path

import pytest

from stip.store.store import Store, open_store


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "duckdb":
        return open_store(str(tmp_path / "stip.duckdb"))
    return open_store(request.getfixturevalue("pg_url"))
