"""Generated columns -> Autotask REST records (then the real mapping), or -> canonical Arrow.

`records()` renders what the Autotask API would return: camelCase fields, UTC instants as
ISO strings with `Z`, date-only fields as `YYYY-MM-DDT00:00:00`, UDFs as name/value pairs.
`canonical_rows()` sends those records through `mapping.map_records`, the path a real sync
takes. `canonical_arrow()` builds the same canonical table column-wise, for the large scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from stip.connectors.autotask.mapping import SOURCE_SYSTEM, map_records
from stip.demo.model import NO_BOOL, NULL, Frame
from stip.store.schema import TABLES_BY_ENTITY


def records(frame: Frame) -> list[dict[str, Any]]:
    keys = list(frame.cols)
    columns = [_wire(frame.cols[k]) for k in keys]
    if frame.udfs:
        keys.append("userDefinedFields")
        udf_names = list(frame.udfs)
        values = [frame.udfs[k].tolist() for k in udf_names]
        columns.append(
            [
                [{"name": name, "value": value} for name, value in zip(udf_names, row, strict=True)]
                for row in zip(*values, strict=True)
            ]
        )
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _wire(values: np.ndarray) -> list[Any]:
    kind = values.dtype.kind
    if kind == "M":
        unit = np.datetime_data(values.dtype)[0]
        missing = np.isnat(values)
        if unit == "D":
            text = np.char.add(np.datetime_as_string(values, unit="D").astype(str), "T00:00:00")
        else:
            text = np.char.add(np.datetime_as_string(values, unit="s").astype(str), "Z")
        out = text.astype(object)
        out[missing] = None
        return list(out)
    if values.dtype == np.int8:
        out = (values == 1).astype(object)
        out[values == NO_BOOL] = None
        return list(out)
    if kind == "i":
        out = values.astype(object)
        out[values == NULL] = None
        return list(out)
    if kind == "f":
        out = values.astype(object)
        out[np.isnan(values)] = None
        return list(out)
    return list(values)


def canonical_rows(frame: Frame) -> list[dict[str, Any]]:
    """Autotask records through the real mapping, plus the canonical extra columns."""
    rows = map_records(frame.entity, records(frame), source_system=SOURCE_SYSTEM)
    for name, values in frame.extras.items():
        for row, value in zip(rows, values.tolist(), strict=True):
            row[name] = value
    return rows


def canonical_arrow(frame: Frame) -> pa.Table:
    """The canonical table built column-wise (same values the mapping would produce)."""
    table = TABLES_BY_ENTITY[frame.entity]
    arrays: dict[str, pa.Array] = {"source_system": pa.array([SOURCE_SYSTEM] * len(frame))}
    for column in table.columns:
        if column.source_field in frame.cols:
            arrays[column.name] = _arrow(frame.cols[column.source_field], column.type)
    for name, values in frame.extras.items():
        arrays[name] = pa.array(values, from_pandas=True)
    return pa.table(arrays)


def _arrow(values: np.ndarray, kind: str) -> pa.Array:
    if kind == "bool":
        return pa.array(values == 1, mask=values == NO_BOOL)
    if kind == "int":
        return pa.array(values.astype(np.int64), mask=values == NULL)
    if kind == "ts":
        return pa.array(values.astype("datetime64[us]"), from_pandas=True)
    if kind == "date":
        return pa.array(values.astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    if kind == "float":
        return pa.array(values.astype(float), from_pandas=True)
    return pa.array(values, type=pa.string(), from_pandas=True)
