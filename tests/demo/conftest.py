from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import Built, build


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield build(tmp_path_factory.mktemp("demo-small") / "stip.duckdb")
