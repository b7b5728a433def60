"""After a sync or an import: a user-defined field named in the settings that no record fills.

Autotask has no standard field for a client's number of users, so `[autotask]
user_count_field` names a company user-defined field. A name that matches no field (a typo,
another language) is not an error per record, but leaves every per-user KPI without data;
this says so once, with the names the records do carry.
"""

from __future__ import annotations

import json

from stip.connectors.autotask.mapping import UdfColumns
from stip.store.schema import TABLES
from stip.store.store import Store

#: Records read for the names of their user-defined fields, and names listed at most.
SAMPLE = 500
NAMES_SHOWN = 12


def unfilled_udfs(store: Store, udf_columns: UdfColumns) -> list[str]:
    """One warning per mapped field that no record of its table fills (none when the table is
    empty: nothing to judge yet)."""
    warnings = []
    with store.read() as con:
        for column, name in udf_columns.items():
            for table in TABLES:
                names = {c.name for c in table.columns}
                if column not in names or "udf" not in names:
                    continue
                rows = con.table(table.name)
                if rows.count().to_pyarrow().as_py() == 0:
                    continue
                if rows.filter(rows[column].notnull()).count().to_pyarrow().as_py() > 0:
                    continue
                sample = rows.filter(rows.udf.notnull()).select("udf").limit(SAMPLE)
                seen: set[str] = set()
                for text in sample.to_pyarrow().column("udf").to_pylist():
                    seen.update(json.loads(text))
                warnings.append(_warning(table.entity or table.name, column, name, sorted(seen)))
    return warnings


def _warning(entity: str, column: str, name: str, seen: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in seen[:NAMES_SHOWN])
    more = f" and {len(seen) - NAMES_SHOWN} more" if len(seen) > NAMES_SHOWN else ""
    carried = f"they carry {shown}{more}" if seen else "they carry no user-defined fields"
    return (
        f"no {entity} record has a value in the user-defined field '{name}' (read as {column}, "
        f"setting [autotask] {column}_field); {carried}. Correct the setting, or fill the field "
        "in Autotask, then run `stip sync autotask --full`"
    )
