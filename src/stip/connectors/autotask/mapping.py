"""Autotask REST records -> canonical rows.

The one place that knows how an Autotask JSON record becomes a row of the canonical model.
The sync, the offline import and the demo generator all go through it, so the demo
exercises the real ingestion path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from stip.errors import ConnectorError
from stip.store.schema import TABLES_BY_ENTITY, Column, Table

SOURCE_SYSTEM = "autotask"

ENTITIES: tuple[str, ...] = tuple(TABLES_BY_ENTITY)


def parse_datetime(value: str) -> datetime:
    """Autotask datetimes are UTC, with or without a `Z` or offset; returns naive UTC."""
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


def _convert(column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    kind = column.type
    if kind == "ts":
        return parse_datetime(value)
    if kind == "date":
        return parse_date(value)
    if kind == "int":
        if isinstance(value, bool):
            return int(value)
        return int(float(value)) if isinstance(value, str) else int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1", "yes"}
        return bool(value)
    return str(value)


def map_record(
    table: Table, record: dict[str, Any], source_system: str = SOURCE_SYSTEM
) -> dict[str, Any]:
    """One Autotask record to one canonical row; raises ConnectorError naming the field."""
    row: dict[str, Any] = {"source_system": source_system}
    for column in table.columns:
        if column.source_field is None:
            continue
        try:
            row[column.name] = _convert(column, record.get(column.source_field))
        except (TypeError, ValueError) as exc:
            raise ConnectorError(
                f"{table.entity} id {record.get('id')}: field '{column.source_field}' has "
                f"value {record.get(column.source_field)!r} that is not a valid {column.type} "
                f"({exc})"
            ) from None
    if row.get("id") is None:
        raise ConnectorError(f"{table.entity}: a record has no 'id': {_preview(record)}")
    udfs = record.get("userDefinedFields")
    if udfs and "udf" in table.column_names:
        row["udf"] = json.dumps({u["name"]: u.get("value") for u in udfs}, ensure_ascii=False)
    return row


def map_records(
    entity: str, records: Iterable[dict[str, Any]], source_system: str = SOURCE_SYSTEM
) -> list[dict[str, Any]]:
    table = TABLES_BY_ENTITY[entity]
    return [map_record(table, record, source_system) for record in records]


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
