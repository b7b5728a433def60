"""Autotask REST records -> canonical rows.

The one place that knows how an Autotask JSON record becomes a row of the canonical model.
The sync, the offline import and the demo generator all go through it, so the demo
exercises the real ingestion path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from stip.errors import ConnectorError
from stip.store.schema import TABLES_BY_ENTITY, TABLES_BY_NAME, Table

SOURCE_SYSTEM = "autotask"

ENTITIES: tuple[str, ...] = tuple(TABLES_BY_ENTITY)


def parse_datetime(value: str) -> datetime:
    """Autotask datetimes are UTC, with or without a `Z` or offset; returns naive UTC."""
    try:
        parsed = datetime.fromisoformat(value)  # the API's usual shape, without rewriting
    except ValueError:
        return _parse_datetime_loose(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _parse_datetime_loose(value: str) -> datetime:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        rest = tail[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_date(value: str) -> date:
    """Date-only fields: the date part exactly as the API returns it, no zone conversion."""
    return date.fromisoformat(value.strip()[:10])


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    return int(float(value)) if isinstance(value, str) else int(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "ts": parse_datetime,
    "date": parse_date,
    "int": _to_int,
    "float": float,
    "bool": _to_bool,
    "str": str,
}


class _Mapper:
    """A table's mapped columns (column, source field, converter), looked up once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fields = tuple(
            (c.name, c.source_field, _CONVERTERS.get(c.type, str))
            for c in table.columns
            if c.source_field is not None
        )
        self.udf = "udf" in table.column_names

    def __call__(self, record: dict[str, Any], source_system: str) -> dict[str, Any]:
        row: dict[str, Any] = {"source_system": source_system}
        for name, source, convert in self.fields:
            value = record.get(source)
            try:
                row[name] = None if value is None or value == "" else convert(value)
            except (TypeError, ValueError) as exc:
                kind = next(c.type for c in self.table.columns if c.name == name)
                raise ConnectorError(
                    f"{self.table.entity} id {record.get('id')}: field '{source}' has "
                    f"value {value!r} that is not a valid {kind} ({exc})"
                ) from None
        if row.get("id") is None:
            raise ConnectorError(f"{self.table.entity}: a record has no 'id': {_preview(record)}")
        udfs = record.get("userDefinedFields")
        if udfs and self.udf:
            row["udf"] = json.dumps({u["name"]: u.get("value") for u in udfs}, ensure_ascii=False)
        return row


@cache
def _mapper(table_name: str) -> _Mapper:
    return _Mapper(TABLES_BY_NAME[table_name])


def map_record(
    table: Table, record: dict[str, Any], source_system: str = SOURCE_SYSTEM
) -> dict[str, Any]:
    """One Autotask record to one canonical row; raises ConnectorError naming the field."""
    return _mapper(table.name)(record, source_system)


def map_records(
    entity: str, records: Iterable[dict[str, Any]], source_system: str = SOURCE_SYSTEM
) -> list[dict[str, Any]]:
    mapper = _mapper(TABLES_BY_ENTITY[entity].name)
    return [mapper(record, source_system) for record in records]


def map_picklists(
    entity: str, fields: list[dict[str, Any]], source_system: str = SOURCE_SYSTEM
) -> list[dict[str, Any]]:
    """`entityInformation/fields` response -> picklist rows (values cast to int, inactive kept)."""
    rows = []
    for field in fields:
        if not field.get("isPickList"):
            continue
        for item in field.get("picklistValues") or []:
            try:
                value = int(item["value"])
            except (KeyError, TypeError, ValueError):
                continue
            parent = item.get("parentValue")
            rows.append(
                {
                    "source_system": source_system,
                    "entity": entity,
                    "field": field["name"],
                    "value": value,
                    "label": item.get("label"),
                    "is_active": bool(item.get("isActive", True)),
                    "sort_order": item.get("sortOrder"),
                    "parent_value": int(parent) if parent not in (None, "") else None,
                }
            )
    return rows


def _preview(record: dict[str, Any]) -> str:
    text = json.dumps(record, default=str)
    return text if len(text) < 120 else text[:117] + "..."
