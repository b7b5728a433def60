"""Rows from Python as a relation SQL can join inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

_SQL_TYPES = {
    pa.int64(): "BIGINT",
    pa.string(): "TEXT",
    pa.float64(): "DOUBLE PRECISION",
    pa.bool_(): "BOOLEAN",
}


@contextmanager
def temp_relation(cur: Any, pg: bool, name: str, data: pa.Table) -> Iterator[None]:
    """`data` as the relation `name`: a registered Arrow table on DuckDB, a temporary table
    filled by COPY on PostgreSQL, dropped afterwards. On an error the transaction's rollback
    removes it: a statement in PostgreSQL's aborted transaction would hide the error."""
    if not pg:
        cur.register(name, data)
        try:
            yield
        finally:
            cur.unregister(name)
        return
    cols = ", ".join(f'"{f.name}" {_SQL_TYPES[f.type]}' for f in data.schema)
    cur.execute(f"CREATE TEMP TABLE {name} ({cols}) ON COMMIT DROP")
    names = ", ".join(f'"{c}"' for c in data.column_names)
    with cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
        for row in data.to_pylist():
            copy.write_row([row[c] for c in data.column_names])
    yield
    cur.execute(f"DROP TABLE {name}")


def key_table(keys: list[tuple[str, int]], names: tuple[str, str]) -> pa.Table:
    """(source system, id) pairs as a two-column Arrow table with those column names."""
    sources, ids = zip(*keys, strict=True) if keys else ((), ())
    return pa.table({names[0]: pa.array(sources, pa.string()), names[1]: pa.array(ids, pa.int64())})
