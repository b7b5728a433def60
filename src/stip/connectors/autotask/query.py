"""Autotask query bodies (`QueryModel`): filter builders and client-side validation.

The API silently ignores a condition whose operator it does not know (`ne` instead of
`noteq` returns every record), so every body is validated before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from stip.errors import ConnectorError, suggest

MAX_RECORDS = 500
IN_BATCH = 400

COMPARISON_OPS = frozenset(
    {"eq", "noteq", "gt", "gte", "lt", "lte", "beginsWith", "endsWith", "contains"}
)
EXISTENCE_OPS = frozenset({"exist", "notExist"})
LIST_OPS = frozenset({"in", "notIn"})
GROUP_OPS = frozenset({"and", "or"})
OPERATORS = COMPARISON_OPS | EXISTENCE_OPS | LIST_OPS | GROUP_OPS

Filter = dict[str, Any]

EVERYTHING: Filter = {"op": "gte", "field": "id", "value": 0}


def cond(op: str, field: str, value: Any = None, *, udf: bool = False) -> Filter:
    """One condition; datetimes are sent as UTC `yyyy-mm-ddThh:mm:ss.fff`."""
    item: Filter = {"op": op, "field": field}
    if op not in EXISTENCE_OPS:
        item["value"] = format_value(value)
    if udf:
        item["udf"] = True
    return item


def any_of(*items: Filter) -> Filter:
    return {"op": "or", "items": list(items)}


def all_of(*items: Filter) -> Filter:
    return {"op": "and", "items": list(items)}


def format_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, list | tuple):
        return [format_value(v) for v in value]
    return value


def validate_filters(filters: Iterable[Filter], entity: str) -> None:
    """Raise ConnectorError for an unknown operator, a missing field/value, or no filter."""
    items = list(filters)
    if not items:
        raise ConnectorError(f"{entity}: a query needs a filter (use id gte 0 to read all)")
    for item in items:
        _validate(item, entity)


def _validate(item: Filter, entity: str) -> None:
    op = item.get("op")
    if op not in OPERATORS:
        raise ConnectorError(
            f"{entity}: unknown filter operator {op!r}; the API would silently ignore it "
            f"and return every record.{suggest(str(op), OPERATORS)}"
        )
    if op in GROUP_OPS:
        children = item.get("items") or []
        if not children:
            raise ConnectorError(f"{entity}: an '{op}' group needs at least one condition")
        for child in children:
            _validate(child, entity)
        return
    if not item.get("field"):
        raise ConnectorError(f"{entity}: filter operator '{op}' needs a field")
    if op in EXISTENCE_OPS:
        return
    value = item.get("value")
    if value is None:
        raise ConnectorError(f"{entity}: filter '{item['field']} {op}' needs a value")
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            raise ConnectorError(f"{entity}: filter '{item['field']} {op}' needs a non-empty list")
        if len(value) > MAX_RECORDS:
            raise ConnectorError(
                f"{entity}: filter '{item['field']} {op}' has {len(value)} values; "
                f"batch them at {IN_BATCH}"
            )


def query_body(
    filters: list[Filter], include_fields: list[str] | None = None, max_records: int = MAX_RECORDS
) -> dict[str, Any]:
    if not 1 <= max_records <= MAX_RECORDS:
        raise ConnectorError(f"maxRecords must be between 1 and {MAX_RECORDS}, not {max_records}")
    body: dict[str, Any] = {"maxRecords": max_records, "filter": filters}
    if include_fields:
        fields = list(dict.fromkeys(["id", *include_fields]))
        body["includeFields"] = fields
    return body


def filter_fields(filters: Iterable[Filter]) -> set[str]:
    """Every field name a filter list refers to (for contract checks)."""
    names: set[str] = set()
    for item in filters:
        if item.get("op") in GROUP_OPS:
            names |= filter_fields(item.get("items") or [])
        elif item.get("field"):
            names.add(item["field"])
    return names
