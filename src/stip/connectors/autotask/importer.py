"""`stip import autotask DIR`: load saved API responses without network access.

Layout: one folder per entity with pages in the API's own shape
(`DIR/Tickets/page-001.json` = `{"items": [...], "pageDetails": {...}}`), or one file per
entity (`DIR/Tickets.json`). `DIR/<Entity>/fields.json` (or `DIR/<Entity>.fields.json`) is an
`entityInformation/fields` response and gives picklist labels. `DeletedTicketLogs` removes
the tickets it names. Everything lands in ONE atomic apply: a failed import changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stip.connectors.autotask.mapping import (
    SOURCE_SYSTEM,
    map_picklists,
    map_records,
    parse_datetime,
)
from stip.connectors.autotask.state import next_run_id, utcnow
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

    @property
    def total(self) -> int:
        return sum(self.records.values())


def import_dir(store: Store, directory: Path) -> ImportReport:
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
            rows = map_picklists(entity, fields)
            batch.add("picklists", rows)
            report.picklist_values += len(rows)
            report.files += 1
        for path in files:
            items = _items(path)
            report.files += 1
            if entity == DELETED_TICKETS:
                for item in items:
                    if item.get("ticketID") is None:
                        raise UserError(
                            f"{path}: DeletedTicketLogs id {item.get('id')}: no ticketID"
                        )
                    deleted[int(item["ticketID"])] = item
                continue
            try:
                rows = map_records(entity, items)
            except ConnectorError as exc:
                raise UserError(f"{path}: {exc}") from None
            batch.add(TABLES_BY_ENTITY[entity].name, rows)
            report.records[entity] = report.records.get(entity, 0) + len(rows)
    if deleted:
        _delete_tickets(batch, deleted)
        report.deleted = len(deleted)
    batch.add("sync_runs", [_run_row(store, report)])
    store.apply(batch)
    return report


def _sources(directory: Path) -> list[tuple[str, list[Path], list[Path]]]:
    found: dict[str, tuple[list[Path], list[Path]]] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        name = path.name
        if path.is_dir():
            entity = _entity(name, path)
            data, meta = found.setdefault(entity, ([], []))
            for page in sorted(path.glob("*.json")):
                (meta if page.name == "fields.json" else data).append(page)
        elif name.endswith(".fields.json"):
            found.setdefault(_entity(name[: -len(".fields.json")], path), ([], []))[1].append(path)
        elif name.endswith(".json"):
            found.setdefault(_entity(name[: -len(".json")], path), ([], []))[0].append(path)
    return [(entity, data, meta) for entity, (data, meta) in found.items()]


def _entity(name: str, path: Path) -> str:
    if name not in IMPORTABLE:
        raise UserError(
            f"{path}: '{name}' is not an Autotask entity Stip imports.{suggest(name, IMPORTABLE)} "
            f"Known: {', '.join(sorted(IMPORTABLE))}"
        )
    return name


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object like the API's responses")
    return data


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


def _delete_tickets(batch: Batch, deleted: dict[int, dict[str, Any]]) -> None:
    ids = sorted(deleted)
    batch.delete("tickets", SOURCE_SYSTEM, ids)
    batch.add(
        "deleted_records",
        [
            {
                "source_system": SOURCE_SYSTEM,
                "entity": "Tickets",
                "id": ident,
                "deleted_at": _when(deleted[ident].get("deletedDateTime")),
                "deleted_by_resource_id": deleted[ident].get("deletedByResourceID"),
            }
            for ident in ids
        ],
    )


def _when(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) and value else None


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
