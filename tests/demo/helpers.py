from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from stip.demo import DemoSummary, build_demo
from stip.store.store import Store, open_store

# A Thursday afternoon in November (UTC), so "last week" and "last quarter" are ordinary.
END = datetime(2026, 11, 26, 15, 0)
TZ = ZoneInfo("Europe/Amsterdam")


@dataclass
class Built:
    store: Store
    summary: DemoSummary
    path: Path

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run SQL on the store's DuckDB file (read-only) and return all rows."""
        import duckdb

        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, *params: Any) -> Any:
        return self.rows(sql, *params)[0][0]


def build(path: Path, seed: int = 1, end: datetime = END) -> Built:
    store = open_store(str(path))
    summary = build_demo(store, "small", seed, end)
    return Built(store, summary, path)


def last_7_days_utc(end: datetime) -> tuple[datetime, datetime]:
    """Contract §2 `last-7-days` for as-of `end` (naive UTC), as naive-UTC bounds."""
    local_day = end.replace(tzinfo=UTC).astimezone(TZ).date()
    start = datetime.combine(local_day - timedelta(days=7), datetime.min.time(), TZ)
    stop = datetime.combine(local_day, datetime.min.time(), TZ)
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        stop.astimezone(UTC).replace(tzinfo=None),
    )
