"""`stip import autotask DIR`: load saved API responses without network access.

Layout: one folder per entity with pages in the API's own shape
(`DIR/Tickets/page-001.json` = `{"items": [...], "pageDetails": {...}}`), or one file per
entity (`DIR/Tickets.json`). `DIR/<Entity>/fields.json` (or `DIR/<Entity>.fields.json`) is an
`entityInformation/fields` response and gives picklist labels. `DeletedTicketLogs` removes
the tickets it names. Everything lands in ONE atomic apply: a failed import changes nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stip.connectors.autotask.mapping import (
    NO_UDF_COLUMNS,
    SOURCE_SYSTEM,
    UdfColumns,
    field_value,
    map_picklists,
    map_records,
    parse_datetime,
    to_int,
)
from stip.connectors.autotask.state import next_run_id, stored_ids, utcnow
from stip.errors import ConnectorError, UserError, suggest
from stip.store.schema import TABLES_BY_ENTITY, Batch
from stip.store.store import Store

DELETED_TICKETS = "DeletedTicketLogs"
IMPORTABLE = (*TABLES_BY_ENTITY, DELETED_TICKETS)


@dataclass
class ImportReport:
    records: dict[str, int] = field(default_factory=dict)
    files: int = 0
    picklist_values: int = 0
    deleted: int = 0
    duplicates: int = 0

    @property
    def total(self) -> int:
        return sum(self.records.values())


def import_dir(
    store: Store, directory: Path, udf_columns: UdfColumns = NO_UDF_COLUMNS
) -> ImportReport:
    if not str(directory).strip():
        raise UserError("no folder given; name the folder that holds the entity files")
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder; give the folder that holds the entity files")
    report = ImportReport()
    batch = Batch()
    sources = _sources(directory)
    if not sources:
        raise UserError(
            f"{directory}: no entity files found; expected e.g. {directory}/Tickets/page-001.json "
            f"or {directory}/Tickets.json"
        )
    deleted: dict[int, dict[str, Any]] = {}
    for entity, files, field_files in sources:
        for path in field_files:
            fields = _load(path).get("fields")
            if not isinstance(fields, list):
                raise UserError(
                    f"{path}: expected an entityInformation/fields response with 'fields'"
                )
            try:
                rows = map_picklists(entity, fields)
            except ConnectorError as exc:
                raise UserError(f"{path}: {exc}") from None
            batch.add("picklists", rows)
            report.picklist_values += len(rows)
            report.files += 1
        ids: set[int] = set()
        for path in files:
            items = _items(path)
            report.files += 1
            if entity == DELETED_TICKETS:
                for item in items:
                    ticket, info = _deleted(path, item)
                    deleted[ticket] = info
                continue
            try:
                rows = map_records(entity, items, udf_columns=udf_columns)
            except ConnectorError as exc:
                raise UserError(f"{path}: {exc}") from None
            batch.add(TABLES_BY_ENTITY[entity].name, rows)
            # The same id twice (a record that changed while the pages were saved): the copy
            # read last wins, and it is counted once.
            for row in rows:
                report.duplicates += row["id"] in ids
                ids.add(row["id"])
        if entity != DELETED_TICKETS:
            report.records[entity] = report.records.get(entity, 0) + len(ids)
    if deleted:
        _delete_tickets(store, batch, deleted)
        report.deleted = len(deleted)
    batch.add("sync_runs", [_run_row(store, report)])
    store.apply(batch)
    return report


def _sources(directory: Path) -> list[tuple[str, list[Path], list[Path]]]:
    """Entity folders and files. Names ending in `.json` in any case are read; dot-files are
    skipped; anything else (other files, folders inside an entity folder) is an error."""
    found: dict[str, tuple[list[Path], list[Path]]] = {}
    for path in _list(directory):
        name = path.name
        if path.is_dir():
            entity = _entity(name, path)
            data, meta = found.setdefault(entity, ([], []))
            for page in _list(path):
                if page.is_dir():
                    raise UserError(
                        f"{page}: folders inside an entity folder are not read; "
                        f"move its pages up into {path}"
                    )
                if not _is_json(page.name):
                    raise UserError(
                        f"{page}: not a .json file; entity folders hold only the API's JSON "
                        "pages, move it out of the import folder"
                    )
                (meta if page.name.lower() == "fields.json" else data).append(page)
        elif name.lower().endswith(".fields.json"):
            found.setdefault(_entity(name[: -len(".fields.json")], path), ([], []))[1].append(path)
        elif _is_json(name):
            found.setdefault(_entity(name[: -len(".json")], path), ([], []))[0].append(path)
        else:
            raise UserError(
                f"{path}: not a .json file or entity folder; move it out of the import folder"
            )
    return [(entity, data, meta) for entity, (data, meta) in found.items()]


def _is_json(name: str) -> bool:
    return name.lower().endswith(".json")


def _list(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise UserError(
            f"{folder}: cannot read the folder ({exc.strerror or exc}); "
            "give the user running Stip read access to it"
        ) from None


def _entity(name: str, path: Path) -> str:
    if name not in IMPORTABLE:
        raise UserError(
            f"{path}: '{name}' is not an Autotask entity Stip imports.{suggest(name, IMPORTABLE)} "
            f"Known: {', '.join(sorted(IMPORTABLE))}"
        )
    return name


class _NonFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


def _constant(token: str) -> float:
    raise _NonFinite(token)


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"{path}: cannot read ({exc.strerror or exc}); give the user running Stip read "
            "access to it"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from None
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); fix the file there "
            "or save the API's response again"
        ) from None
    except _NonFinite as exc:
        line, col = _position(text, exc.token)
        raise UserError(
            f"{path}:{line}:{col}: the number {exc.token} is not a finite number (JSON allows "
            "none); replace it with a real value or null"
        ) from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object like the API's responses")
    return data


def _position(text: str, token: str) -> tuple[int, int]:
    """Line and column of the first `token` outside a JSON string (1-based)."""
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith(token, index) and (index == 0 or not text[index - 1].isalnum()):
            line = text.count("\n", 0, index) + 1
            return line, index - (text.rfind("\n", 0, index) + 1) + 1
    return 1, 1


def _items(path: Path) -> list[dict[str, Any]]:
    data = _load(path)
    items = data.get("items")
    if not isinstance(items, list):
        raise UserError(
            f'{path}: expected the API\'s query shape {{"items": [...], "pageDetails": ...}}'
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(f"{path}: items[{index}] is not a JSON object")
    return items


def _deleted(path: Path, item: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One DeletedTicketLogs record -> (ticket id, checked deleted_records fields)."""
    where = f"{path}: DeletedTicketLogs id {json.dumps(item.get('id'), default=str)}"
    if item.get("ticketID") is None:
        raise UserError(f"{where}: no ticketID; add the id of the deleted ticket")
    try:
        ticket = field_value(item, "ticketID", to_int, "int", where)
        values = {
            "deleted_at": field_value(item, "deletedDateTime", parse_datetime, "ts", where),
            "deleted_by_resource_id": field_value(
                item, "deletedByResourceID", to_int, "int", where
            ),
        }
    except ConnectorError as exc:
        raise UserError(str(exc)) from None
    return ticket, values


def _delete_tickets(store: Store, batch: Batch, deleted: dict[int, dict[str, Any]]) -> None:
    """Remove the tickets and their SLA results (stored or in this import), like the sync."""
    ids = sorted(deleted)
    batch.delete("tickets", SOURCE_SYSTEM, ids)
    gone = set(ids)
    sla = stored_ids(store, "sla_results", "ticket_id", ids)
    for row in batch.upserts.get("sla_results", []):
        if row.get("ticket_id") in gone and isinstance(row["id"], int):
            sla.add(row["id"])
    if sla:
        batch.delete("sla_results", SOURCE_SYSTEM, sorted(sla))
    batch.add(
        "deleted_records",
        [
            {
                "source_system": SOURCE_SYSTEM,
                "entity": "Tickets",
                "id": ident,
                "deleted_at": deleted[ident]["deleted_at"],
                "deleted_by_resource_id": deleted[ident]["deleted_by_resource_id"],
            }
            for ident in ids
        ],
    )


def _run_row(store: Store, report: ImportReport) -> dict[str, Any]:
    now = utcnow()
    return {
        "source_system": SOURCE_SYSTEM,
        "id": next_run_id(store),
        "started": now,
        "finished": now,
        "mode": "import",
        "status": "ok",
        "records": report.total,
        "requests": 0,
        "errors": 0,
        "message": f"imported {report.total} records from {report.files} files",
    }
