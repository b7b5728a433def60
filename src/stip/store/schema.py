"""The canonical MSP data model: source-neutral tables every connector fills and every KPI reads.

Column names are the snake_case of the Autotask REST field names, so a column can always be
traced back to the documented field it came from (`createDate` -> `create_date`). Every table
carries `source_system` ("autotask", "demo", ...) and `id`, the *source system's* id: the
primary key is (`source_system`, `id`). Columns marked `extra` have no Autotask field; they
are filled from configuration or derived by the connector.

Types: `int` (BIGINT), `float` (DOUBLE), `str`, `bool`, `ts` (UTC instant, stored without
zone), `date` (a local calendar date, stored as the API returns it, never converted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ibis
import ibis.expr.datatypes as dt

SCHEMA_VERSION = 1

IBIS_TYPES: dict[str, dt.DataType] = {
    "int": dt.int64,
    "float": dt.float64,
    "str": dt.string,
    "bool": dt.boolean,
    "ts": dt.Timestamp(),
    "date": dt.date,
}


def snake(name: str) -> str:
    """`firstResponseDateTime` -> `first_response_date_time`; `companyID` -> `company_id`."""
    name = re.sub(r"ID\b", "Id", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    source_field: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    entity: str | None
    columns: tuple[Column, ...]
    description: str = ""
    key: tuple[str, ...] = ("source_system", "id")
    watermark: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def ibis_schema(self) -> ibis.Schema:
        return ibis.schema({c.name: IBIS_TYPES[c.type] for c in self.columns})


def _table(
    name: str,
    entity: str | None,
    fields: str,
    *,
    extra: str = "",
    description: str = "",
    watermark: str | None = None,
) -> Table:
    """Build a table from "autotaskField:type ..." and "extra_column:type ..." specs."""
    columns = [Column("source_system", "str"), Column("id", "int", "id")]
    for spec in fields.split():
        field_name, kind = spec.split(":")
        columns.append(Column(snake(field_name), kind, field_name))
    for spec in extra.split():
        column_name, kind = spec.split(":")
        columns.append(Column(column_name, kind))
    return Table(name, entity, tuple(columns), description, watermark=watermark)


TABLES: tuple[Table, ...] = (
    _table(
        "companies",
        "Companies",
        "companyName:str companyNumber:str companyType:int classification:int isActive:bool "
        "ownerResourceID:int parentCompanyID:int city:str phone:str webAddress:str "
        "marketSegmentID:int territoryID:int createDate:ts lastActivityDate:ts "
        "lastTrackedModifiedDateTime:ts",
        extra="user_count:int udf:str",
        description="Clients (and the MSP itself, vendors, prospects: see company_type).",
        watermark="lastActivityDate",
    ),
    _table(
        "contacts",
        "Contacts",
        "companyID:int firstName:str lastName:str emailAddress:str phone:str mobilePhone:str "
        "isActive:int primaryContact:bool surveyOptOut:bool createDate:ts lastActivityDate:ts "
        "lastModifiedDate:ts",
        watermark="lastModifiedDate",
    ),
    _table(
        "resources",
        "Resources",
        "firstName:str lastName:str userName:str email:str title:str isActive:bool "
        "resourceType:str licenseType:int userType:int hireDate:ts internalCost:float "
        "defaultServiceDeskRoleID:int",
        extra="weekly_hours:float available_hours_per_day:float",
        description="Engineers and other staff. internal_cost is the hourly cost rate.",
    ),
    _table(
        "teams",
        "Departments",
        "name:str description:str number:str",
        description="Teams; Autotask departments.",
    ),
    _table(
        "roles",
        "Roles",
        "name:str description:str hourlyRate:float hourlyFactor:float isActive:bool roleType:int",
    ),
    _table(
        "resource_role_departments",
        "ResourceRoleDepartments",
        "resourceID:int roleID:int departmentID:int isActive:bool isDefault:bool "
        "isDepartmentLead:bool",
        description="Which resource works in which team (department) in which role.",
    ),
    _table(
        "contracts",
        "Contracts",
        "companyID:int contractName:str contractNumber:str contractType:int "
        "contractCategory:int contractPeriodType:int billingPreference:int status:int "
        "startDate:date endDate:date estimatedHours:float estimatedRevenue:float "
        "estimatedCost:float setupFee:float overageBillingRate:float "
        "serviceLevelAgreementID:int renewedContractID:int isDefaultContract:bool "
        "lastModifiedDateTime:ts",
        watermark="lastModifiedDateTime",
    ),
    _table(
        "contract_services",
        "ContractServices",
        "contractID:int serviceID:int unitPrice:float unitCost:float "
        "internalCurrencyAdjustedPrice:float invoiceDescription:str",
    ),
    _table(
        "contract_service_units",
        "ContractServiceUnits",
        "contractID:int contractServiceID:int serviceID:int startDate:date endDate:date "
        "units:int price:float cost:float approveAndPostDate:ts",
        description="Recurring revenue per contract service and billing period.",
    ),
    _table(
        "contract_blocks",
        "ContractBlocks",
        "contractID:int datePurchased:date startDate:date endDate:date hours:float "
        "hoursApproved:float hourlyRate:float isPaid:bool status:int",
    ),
    _table(
        "tickets",
        "Tickets",
        "ticketNumber:str title:str companyID:int contactID:int contractID:int "
        "assignedResourceID:int assignedResourceRoleID:int completedByResourceID:int "
        "creatorResourceID:int creatorType:int configurationItemID:int projectID:int "
        "queueID:int priority:int status:int ticketType:int ticketCategory:int issueType:int "
        "subIssueType:int source:int billingCodeID:int problemTicketId:int "
        "serviceLevelAgreementID:int serviceLevelAgreementHasBeenMet:bool createDate:ts "
        "completedDate:ts dueDateTime:ts firstResponseDateTime:ts firstResponseDueDateTime:ts "
        "resolutionPlanDateTime:ts resolutionPlanDueDateTime:ts resolvedDateTime:ts "
        "resolvedDueDateTime:ts lastActivityDate:ts lastCustomerVisibleActivityDateTime:ts "
        "lastCustomerNotificationDateTime:ts lastTrackedModificationDateTime:ts "
        "estimatedHours:float monitorID:int rmmAlertID:str",
        watermark="lastActivityDate",
    ),
    _table(
        "ticket_history",
        "TicketHistory",
        "ticketID:int action:str date:ts detail:str resourceID:int",
        description="Ticket status and field change history, where the source has it.",
    ),
    _table(
        "time_entries",
        "TimeEntries",
        "ticketID:int taskID:int resourceID:int roleID:int contractID:int billingCodeID:int "
        "dateWorked:date startDateTime:ts endDateTime:ts hoursWorked:float hoursToBill:float "
        "offsetHours:float isNonBillable:bool showOnInvoice:bool timeEntryType:int "
        "createDateTime:ts lastModifiedDateTime:ts billingApprovalDateTime:ts",
        watermark="lastModifiedDateTime",
    ),
    _table(
        "survey_results",
        "SurveyResults",
        "surveyID:int ticketID:int companyID:int contactID:int sendDate:ts completeDate:ts "
        "surveyRating:float companyRating:float contactRating:float resourceRating:float",
        description="Customer satisfaction (CSAT) survey answers.",
    ),
    _table(
        "sla_results",
        "ServiceLevelAgreementResults",
        "ticketID:int serviceLevelAgreementName:str firstResponseElapsedHours:float "
        "isFirstResponseMet:bool resolutionPlanElapsedHours:float isResolutionPlanMet:bool "
        "resolutionElapsedHours:float isResolutionMet:bool firstResponseResourceID:int "
        "resolutionResourceID:int",
    ),
    _table(
        "billing_items",
        "BillingItems",
        "companyID:int ticketID:int taskID:int projectID:int contractID:int timeEntryID:int "
        "contractBlockID:int invoiceID:int billingItemType:int subType:int itemName:str "
        "itemDate:date postedDate:ts quantity:float rate:float extendedPrice:float ourCost:float "
        "totalAmount:float taxDollars:float nonBillable:int roleID:int serviceID:int",
        description="Posted (approved) billable items; the revenue side of profitability.",
    ),
    _table(
        "invoices",
        "Invoices",
        "companyID:int invoiceNumber:str invoiceDateTime:ts createDateTime:ts dueDate:date "
        "fromDate:date toDate:date paidDate:ts invoiceTotal:float totalTaxValue:float "
        "isVoided:bool voidedDate:ts paymentTerm:int invoiceStatus:int",
    ),
    _table(
        "configuration_items",
        "ConfigurationItems",
        "companyID:int contractID:int configurationItemType:int configurationItemCategoryID:int "
        "productID:int referenceTitle:str serialNumber:str isActive:bool installDate:ts "
        "createDate:ts lastModifiedTime:ts rmmDeviceID:int rmmOpenAlertCount:int "
        "warrantyExpirationDate:ts numberOfUsers:float",
        description="Managed endpoints and other configuration items.",
        watermark="lastModifiedTime",
    ),
    _table(
        "projects",
        "Projects",
        "companyID:int contractID:int projectName:str projectNumber:str "
        "projectLeadResourceID:int status:int projectType:int startDateTime:ts endDateTime:ts "
        "completedDateTime:ts estimatedTime:float actualHours:float actualBilledHours:float "
        "laborEstimatedRevenue:float laborEstimatedCosts:float completedPercentage:int "
        "createDateTime:ts lastActivityDateTime:ts",
        watermark="lastActivityDateTime",
    ),
    _table(
        "tasks",
        "Tasks",
        "projectID:int title:str assignedResourceID:int status:int priority:int "
        "departmentID:int createDateTime:ts startDateTime:ts endDateTime:ts "
        "completedDateTime:ts estimatedHours:float remainingHours:float isTaskBillable:bool "
        "lastActivityDateTime:ts",
        watermark="lastActivityDateTime",
    ),
    Table(
        "picklists",
        None,
        (
            Column("source_system", "str"),
            Column("entity", "str"),
            Column("field", "str"),
            Column("value", "int"),
            Column("label", "str"),
            Column("is_active", "bool"),
            Column("sort_order", "int"),
            Column("parent_value", "int"),
        ),
        "Picklist labels per entity field, inactive values included.",
        key=("source_system", "entity", "field", "value"),
    ),
    Table(
        "deleted_records",
        None,
        (
            Column("source_system", "str"),
            Column("entity", "str"),
            Column("id", "int"),
            Column("deleted_at", "ts"),
            Column("deleted_by_resource_id", "int"),
        ),
        "Records the source reported deleted (and removed from their table).",
        key=("source_system", "entity", "id"),
    ),
    Table(
        "sync_state",
        None,
        (
            Column("source_system", "str"),
            Column("entity", "str"),
            Column("watermark", "ts"),
            Column("last_id", "int"),
            Column("last_full_at", "ts"),
            Column("last_reconciled_at", "ts"),
            Column("last_run_started", "ts"),
            Column("last_run_finished", "ts"),
            Column("last_status", "str"),
            Column("last_records", "int"),
            Column("last_requests", "int"),
            Column("last_error", "str"),
            Column("data_as_of", "ts"),
        ),
        "Per source and entity: the incremental cursor and the last run's figures.",
        key=("source_system", "entity"),
    ),
    Table(
        "sync_runs",
        None,
        (
            Column("source_system", "str"),
            Column("id", "int"),
            Column("started", "ts"),
            Column("finished", "ts"),
            Column("mode", "str"),
            Column("status", "str"),
            Column("records", "int"),
            Column("requests", "int"),
            Column("errors", "int"),
            Column("message", "str"),
        ),
        "One row per sync run, for the sync status page.",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
TABLES_BY_ENTITY: dict[str, Table] = {t.entity: t for t in TABLES if t.entity}


@dataclass
class Batch:
    """Rows to upsert and ids to delete, applied atomically by `Store.apply`."""

    upserts: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    deletes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def add(self, table: str, rows: list[dict[str, object]]) -> None:
        self.upserts.setdefault(table, []).extend(rows)

    def delete(self, table: str, source_system: str, ids: list[int]) -> None:
        self.deletes.setdefault(table, []).extend((source_system, i) for i in ids)

    def merge(self, other: Batch) -> None:
        """Take in `other`'s rows and deletions (applied, like all deletions, after upserts)."""
        for table, rows in other.upserts.items():
            self.add(table, rows)
        for table, keys in other.deletes.items():
            self.deletes.setdefault(table, []).extend(keys)

    def __len__(self) -> int:
        return sum(map(len, self.upserts.values())) + sum(map(len, self.deletes.values()))
