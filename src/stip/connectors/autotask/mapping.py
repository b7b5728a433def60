"""Autotask REST records -> canonical rows.

The one place that knows how an Autotask JSON record becomes a row of the canonical model.
The sync, the offline import and the demo generator all go through it, so the demo
exercises the real ingestion path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from types import MappingProxyType
from typing import Any

from stip.errors import ConnectorError
from stip.store.schema import TABLES_BY_ENTITY, TABLES_BY_NAME, Table
from stip.untrusted import clean_text

SOURCE_SYSTEM = "autotask"

ENTITIES: tuple[str, ...] = tuple(TABLES_BY_ENTITY)


def parse_datetime(value: str) -> datetime:
    """Autotask datetimes are UTC, with or without a `Z` or offset; returns naive UTC."""
    parsed = _parse_iso(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _parse_iso(value: str) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {_json_type(value)}")
    try:
        return datetime.fromisoformat(value)  # the API's usual shape, without rewriting
    except ValueError:
        return _parse_datetime_loose(value)


def _parse_datetime_loose(value: str) -> datetime:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        rest = tail[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    return datetime.fromisoformat(text)


def parse_date(value: str) -> date:
    """Date-only fields: the date part exactly as the API returns it, no zone conversion.

    The API sends `2026-01-05T00:00:00`; a bare `2026-01-05` works too. Anything after the
    date must be a valid time (`2026-01-05garbage` is refused, not cut off).
    """
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {_json_type(value)}")
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return _parse_iso(text).date()


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class BadValue(ValueError):
    """A value of the wrong shape; its message is a short, user-facing reason."""


def _reason(exc: Exception) -> str:
    """` (why)` for BadValue, else nothing: Python's own parse errors do not help the user."""
    return f" ({exc})" if isinstance(exc, BadValue) and str(exc) else ""


def to_int(value: Any) -> int:
    """A whole number: a JSON integer, an integral float (`103.0`) or such a number as text.

    Booleans, fractions (`103.7`, `"103.9"`) and numbers outside signed 64 bits are refused,
    never truncated."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"got {_json_type(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise BadValue("not a number") from None
    else:
        number = value
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            raise BadValue("not a whole number")
        number = int(number)
    if not INT64_MIN <= number <= INT64_MAX:
        raise BadValue("outside the signed 64-bit range")
    return number


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"got {_json_type(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise BadValue("too large") from None
    if not math.isfinite(number):
        raise BadValue("not a finite number")
    return number


def _to_bool(value: Any) -> bool:
    """JSON true/false, as the API sends them (the text "true"/"false" is accepted too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ValueError(f"got {_json_type(value)}")


def _to_str(value: Any) -> str:
    if isinstance(value, dict | list):
        raise TypeError(f"got {_json_type(value)}")
    return clean_text(str(value))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON list"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "ts": parse_datetime,
    "date": parse_date,
    "int": to_int,
    "float": _to_float,
    "bool": _to_bool,
    "str": _to_str,
}

# How to fix a bad value: what each column type expects, in words.
EXPECTED: dict[str, str] = {
    "ts": "a date-time such as 2026-10-01T08:00:00Z",
    "date": "a date such as 2026-10-01 or 2026-10-01T00:00:00",
    "int": "a whole number such as 103",
    "float": "a finite number such as 1.5",
    "bool": "true or false",
    "str": "text",
}


# canonical column -> the name of the user-defined field that fills it
UdfColumns = Mapping[str, str]
NO_UDF_COLUMNS: UdfColumns = MappingProxyType({})


class _Mapper:
    """A table's mapped columns (column, source field, converter), looked up once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fields = tuple(
            (c.name, c.source_field, _CONVERTERS.get(c.type, str), c.type)
            for c in table.columns
            if c.source_field is not None
        )
        self.udf = "udf" in table.column_names
        # columns no Autotask field fills, which a user-defined field may (`udf_columns`)
        self.extras = {
            c.name: c.type
            for c in table.columns
            if c.source_field is None and c.name not in ("source_system", "udf")
        }

    def __call__(
        self, record: dict[str, Any], source_system: str, udf_columns: UdfColumns = NO_UDF_COLUMNS
    ) -> dict[str, Any]:
        row: dict[str, Any] = {"source_system": source_system}
        for name, source, convert, kind in self.fields:  # the sync's hot loop: kept inline
            value = record.get(source)
            try:
                row[name] = None if value is None or value == "" else convert(value)
            except (TypeError, ValueError, OverflowError) as exc:
                where = f"{self.table.entity} id {_ident(record)}"
                raise bad_value(where, source, value, kind, exc) from None
        if row.get("id") is None:
            raise ConnectorError(f"{self.table.entity}: a record has no 'id': {_preview(record)}")
        udfs = record.get("userDefinedFields")
        if udfs and self.udf:
            values = self._udfs(record, udfs)
            row["udf"] = json.dumps(values, ensure_ascii=False)
            for column, name in udf_columns.items():
                if column in self.extras:
                    row[column] = self._udf_value(record, column, name, _udf(values, name))
        return row

    def _udf_value(self, record: dict[str, Any], column: str, name: str, value: Any) -> Any:
        """The user-defined field `name` as the canonical `column` (None when empty)."""
        if value is None or value == "":
            return None
        kind = self.extras[column]
        try:
            return _CONVERTERS.get(kind, str)(value)
        except (TypeError, ValueError, OverflowError) as exc:
            where = f"{self.table.entity} id {_ident(record)}"
            raise ConnectorError(
                f"{where}: user-defined field '{name}' (read as {column}) has value "
                f"{_short(value)}{_reason(exc)}; it must be {EXPECTED.get(kind, kind)}: correct "
                "it in Autotask, or change the setting that names the field"
            ) from None

    def _udfs(self, record: dict[str, Any], udfs: Any) -> dict[str, Any]:
        where = f"{self.table.entity} id {_ident(record)}: field 'userDefinedFields'"
        if not isinstance(udfs, list):
            raise ConnectorError(
                f"{where} is {_json_type(udfs)}; it must be a list of "
                '{"name": ..., "value": ...} objects'
            )
        out: dict[str, Any] = {}
        for index, udf in enumerate(udfs):
            if not isinstance(udf, dict) or not isinstance(udf.get("name"), str):
                raise ConnectorError(
                    f"{where}[{index}] is {_short(udf)}; each entry must be an object "
                    'with a text "name" (and a "value")'
                )
            out[udf["name"]] = udf.get("value")
        return out


def _udf(values: dict[str, Any], name: str) -> Any:
    """The user-defined field `name`; else the one whose name differs only in case or in
    spaces around it ("Users" finds " users")."""
    if name in values:
        return values[name]
    wanted = name.strip().casefold()
    return next((v for k, v in values.items() if k.strip().casefold() == wanted), None)


def bad_value(where: str, key: str, value: Any, kind: str, exc: Exception) -> ConnectorError:
    """The error for a value of the wrong shape: where, the field, the value, what it must be."""
    return ConnectorError(
        f"{where}: field '{key}' has value {_short(value)}{_reason(exc)}; "
        f"it must be {EXPECTED.get(kind, kind)}"
    )


def field_value(
    item: dict[str, Any],
    key: str,
    convert: Callable[[Any], Any],
    kind: str,
    where: str,
    default: Any = None,
) -> Any:
    """`item[key]` through `convert`; missing or "" gives `default` (see `bad_value`)."""
    value = item.get(key)
    if value is None or value == "":
        return default
    try:
        return convert(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise bad_value(where, key, value, kind, exc) from None


def _ident(record: dict[str, Any]) -> str:
    return _short(record.get("id"))


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) < 60 else text[:57] + "..."


@cache
def _mapper(table_name: str) -> _Mapper:
    return _Mapper(TABLES_BY_NAME[table_name])


def map_record(
    table: Table, record: dict[str, Any], source_system: str = SOURCE_SYSTEM
) -> dict[str, Any]:
    """One Autotask record to one canonical row; raises ConnectorError naming the field."""
    return _mapper(table.name)(record, source_system)


def map_records(
    entity: str,
    records: Iterable[dict[str, Any]],
    source_system: str = SOURCE_SYSTEM,
    udf_columns: UdfColumns = NO_UDF_COLUMNS,
) -> list[dict[str, Any]]:
    """Autotask records to canonical rows; `udf_columns` fills columns that no standard field
    fills from the records' user-defined fields (`AutotaskSettings.udf_columns`)."""
    mapper = _mapper(TABLES_BY_ENTITY[entity].name)
    return [mapper(record, source_system, udf_columns) for record in records]


def map_picklists(
    entity: str, fields: list[dict[str, Any]], source_system: str = SOURCE_SYSTEM
) -> list[dict[str, Any]]:
    """`entityInformation/fields` response -> picklist rows (values cast to int, inactive kept).

    Picklist values that are not whole numbers are skipped; a malformed field (no name, no
    list of values, a bad parentValue/sortOrder/isActive) raises ConnectorError naming it."""
    rows = []
    for index, field in enumerate(fields):
        if not isinstance(field, dict):
            raise ConnectorError(
                f"fields[{index}] is {_short(field)}; each field must be a JSON object"
            )
        if not field.get("isPickList"):
            continue
        name = field.get("name")
        if not isinstance(name, str) or not name:
            raise ConnectorError(
                f'fields[{index}]: a picklist field has no "name"; add the field\'s API name'
            )
        values = field.get("picklistValues") or []
        if not isinstance(values, list):
            raise ConnectorError(
                f"picklist field '{name}': picklistValues is {_json_type(values)}; "
                "it must be a list of value objects"
            )
        for item in values:
            if not isinstance(item, dict):
                raise ConnectorError(
                    f"picklist field '{name}': value {_short(item)} must be a JSON object"
                )
            try:
                value = to_int(item.get("value"))
            except (TypeError, ValueError):
                continue
            where = f"picklist field '{name}' value {value}"
            rows.append(
                {
                    "source_system": source_system,
                    "entity": entity,
                    "field": name,
                    "value": value,
                    "label": field_value(item, "label", _to_str, "str", where),
                    "is_active": field_value(item, "isActive", _to_bool, "bool", where, True),
                    "sort_order": field_value(item, "sortOrder", to_int, "int", where),
                    "parent_value": field_value(item, "parentValue", to_int, "int", where),
                }
            )
    return rows


def _preview(record: dict[str, Any]) -> str:
    text = json.dumps(record, default=str)
    return text if len(text) < 120 else text[:117] + "..."
