"""The documented Autotask query semantics, for the fake server: field names from the vendor
Swagger, the filter grammar (unknown operators are ignored, as the real API does), and the
`entityInformation/fields` shape.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).parent / "autotask_reference"
SUBSET_PATH = REFERENCE / "autotask-swagger-subset.json"
ALL_FIELDS_PATH = REFERENCE / "autotask-entity-fields.json"


@cache
def swagger_fields() -> dict[str, dict[str, str]]:
    """entity -> {field: type}. The Swagger subset first; other entities from the full
    per-entity field list cut from the same vendor Swagger."""
    all_fields = json.loads(ALL_FIELDS_PATH.read_text(encoding="utf-8"))
    result = {
        entity: dict((name, kind) for name, kind in spec["fields"])
        for entity, spec in all_fields["entities"].items()
    }
    subset = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))
    for path, ops in subset["paths"].items():
        parts = path.split("/")
        if len(parts) == 4 and parts[3] == "query" and "post" in ops:
            ref = ops["post"]["responses"]["200"]["schema"]["$ref"].rsplit("/", 1)[1]
            model = ref.split("[", 1)[1].split(",", 1)[0]
            props = subset["definitions"][model]["properties"]
            result[parts[2]] = {name: _swagger_type(spec) for name, spec in props.items()}
    return result


def _swagger_type(spec: dict[str, Any]) -> str:
    if spec.get("format") == "date-time":
        return "datetime"
    if spec.get("type") == "array":
        return "array"
    return str(spec.get("format") or spec.get("type") or "string")


def parse_when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.rstrip("Z")
    if "+" in text[10:]:
        text = text[: 10 + text[10:].index("+")]
    parsed = datetime.fromisoformat(text[:26])
    return parsed.replace(tzinfo=UTC)


class FieldError(ValueError):
    """A filter or includeFields name the entity does not have (the API answers 500)."""


def check_field(entity: str, name: str) -> None:
    if name not in swagger_fields().get(entity, {}):
        raise FieldError(f"Unable to find {name} in the {entity} Entity.")


def compile_filter(entity: str, item: dict[str, Any]) -> Any:
    """A predicate over a record. Unknown operators match everything, like the real API."""
    op = item.get("op")
    if op in ("and", "or"):
        children = [compile_filter(entity, child) for child in item.get("items") or []]
        if op == "and":
            return lambda rec: all(child(rec) for child in children)
        return lambda rec: any(child(rec) for child in children) if children else True
    field = str(item.get("field"))
    if item.get("udf"):
        return _udf_predicate(op, field, item.get("value"))
    check_field(entity, field)
    kind = swagger_fields()[entity][field]
    value = item.get("value")
    try:
        return _compiled(op, field, value, kind)
    except (TypeError, ValueError):
        return lambda rec: _match(op, rec.get(field), value, kind)


def _compiled(op: Any, field: str, value: Any, kind: str) -> Any:
    """`_match` with the filter's value normalised once instead of per record."""
    if op in ("in", "notIn"):
        values = {_norm(v, kind) for v in value or []}
        if op == "in":
            return lambda rec: _norm(rec.get(field), kind) in values

        def not_in(rec: dict[str, Any]) -> bool:
            have = _norm(rec.get(field), kind)
            return have is not None and have not in values

        return not_in
    if op not in _OPS:
        return lambda rec: _match(op, rec.get(field), value, kind)
    want = _norm(value, kind)
    compare = _OPS[op]
    if want is None:
        return lambda rec: False

    def predicate(rec: dict[str, Any]) -> bool:
        have = _norm(rec.get(field), kind)
        return have is not None and bool(compare(have, want))

    return predicate


def id_bounds(filters: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """(exclusive low, inclusive high) that the top-level (ANDed) id conditions imply, for
    an index scan; None where unbounded. Conservative: the filters are still applied."""
    low: int | None = None
    high: int | None = None
    for item in filters:
        value = item.get("value")
        if item.get("field") != "id" or item.get("udf") or isinstance(value, bool):
            continue
        if not isinstance(value, int | float):
            continue
        op = item.get("op")
        lo = hi = None
        if op == "gt":
            lo = math.floor(value)
        elif op == "gte":
            lo = math.ceil(value) - 1
        elif op == "lt":
            hi = math.ceil(value) - 1
        elif op == "lte":
            hi = math.floor(value)
        elif op == "eq":
            lo, hi = math.ceil(value) - 1, math.floor(value)
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)
    return low, high


def _udf_predicate(op: Any, name: str, value: Any) -> Any:
    def predicate(rec: dict[str, Any]) -> bool:
        udfs = {u.get("name"): u.get("value") for u in rec.get("userDefinedFields") or []}
        return _match(op, udfs.get(name), value, "string")

    return predicate


def _norm(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return parse_when(value)
    if kind in ("int32", "int64", "integer", "long", "double", "decimal", "number"):
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return str(value).lower()


def _match(op: Any, raw: Any, target: Any, kind: str) -> bool:
    if op == "exist":
        return raw not in (None, "")
    if op == "notExist":
        return raw in (None, "")
    if op not in _OPS:
        return True
    have = _norm(raw, kind)
    if op in ("in", "notIn"):
        values = {_norm(v, kind) for v in target or []}
        return (have in values) if op == "in" else (have is not None and have not in values)
    want = _norm(target, kind)
    if have is None or want is None:
        return False
    return bool(_OPS[op](have, want))


_OPS: dict[str, Any] = {
    "eq": lambda a, b: a == b,
    "noteq": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "beginsWith": lambda a, b: str(a).startswith(str(b)),
    "endsWith": lambda a, b: str(a).endswith(str(b)),
    "contains": lambda a, b: str(b) in str(a),
    "in": None,
    "notIn": None,
}


def field_information(
    entity: str, picklists: dict[str, list[tuple[int, str, bool]]]
) -> list[dict[str, Any]]:
    """`entityInformation/fields`: picklist values as strings, inactive ones included."""
    fields = []
    for name, kind in swagger_fields().get(entity, {}).items():
        values = picklists.get(name)
        fields.append(
            {
                "name": name,
                "dataType": kind,
                "isRequired": name == "id",
                "isReadOnly": name == "id",
                "isQueryable": kind != "array",
                "isReference": False,
                "isPickList": values is not None,
                "picklistValues": [
                    {
                        "value": str(value),
                        "label": label,
                        "isDefaultValue": False,
                        "sortOrder": order,
                        "parentValue": "",
                        "isActive": active,
                        "isSystem": False,
                    }
                    for order, (value, label, active) in enumerate(values or [])
                ]
                if values is not None
                else None,
            }
        )
    return fields
