"""What to sync per Autotask entity, and how to notice its changes.

Strategies:
- `watermark`: records changed since the last pass (`field gte W - overlap`), id cursor.
- `append`: new ids (`id gt max stored id`), OR'd with optional change fields (a survey's
  `completeDate`, an invoice's `paidDate`) and reloaded in full every `reload_hours`.
- `full`: small tables without a change timestamp, reloaded every `reload_hours`.
- `by_ticket`: SLA results of the tickets changed since the last pass (`ticketID in [...]`).
"""

from __future__ import annotations

from dataclasses import dataclass

from stip.store.schema import TABLES_BY_ENTITY, Table

RECONCILE_HOURS = 24 * 7


@dataclass(frozen=True)
class EntitySpec:
    entity: str
    strategy: str
    watermark: str | None = None
    changed: tuple[str, ...] = ()
    reload_hours: float = 24.0
    reconcile: bool = True

    @property
    def table(self) -> Table:
        return TABLES_BY_ENTITY[self.entity]

    @property
    def include_fields(self) -> list[str] | None:
        """The mapped fields only; None (all fields) where UDFs are kept."""
        if "udf" in self.table.column_names:
            return None
        return [c.source_field for c in self.table.columns if c.source_field]


def _wm(entity: str, reconcile: bool = True) -> EntitySpec:
    return EntitySpec(entity, "watermark", TABLES_BY_ENTITY[entity].watermark, reconcile=reconcile)


SPECS: tuple[EntitySpec, ...] = (
    _wm("Companies"),
    _wm("Contacts"),
    EntitySpec("Resources", "full", reload_hours=6),
    EntitySpec("Departments", "full", reload_hours=24),
    EntitySpec("Roles", "full", reload_hours=24),
    EntitySpec("ResourceRoleDepartments", "full", reload_hours=6),
    _wm("Contracts"),
    EntitySpec("ContractServices", "full", reload_hours=24),
    EntitySpec("ContractServiceUnits", "full", reload_hours=24),
    EntitySpec("ContractBlocks", "full", reload_hours=24),
    _wm("Tickets", reconcile=False),
    _wm("TimeEntries", reconcile=False),
    EntitySpec("SurveyResults", "append", changed=("completeDate",), reload_hours=24 * 7),
    EntitySpec("BillingItems", "append", reload_hours=24),
    EntitySpec("Invoices", "append", changed=("paidDate", "voidedDate"), reload_hours=24),
    _wm("ConfigurationItems"),
    _wm("Projects"),
    _wm("Tasks"),
)

SLA_SPEC = EntitySpec("ServiceLevelAgreementResults", "by_ticket", reconcile=False)

SPECS_BY_ENTITY: dict[str, EntitySpec] = {s.entity: s for s in (*SPECS, SLA_SPEC)}

DELETION_LOGS: dict[str, str] = {
    "DeletedTicketLogs": "Tickets",
    "DeletedTicketActivityLogs": "TimeEntries",
    "DeletedTaskActivityLogs": "TimeEntries",
}
"""Deleted-record log -> the entity whose rows it removes (those skip id reconciliation)."""

PICKLISTS = "Picklists"
PICKLIST_HOURS = 24.0
