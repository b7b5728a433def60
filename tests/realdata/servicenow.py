"""The UCI ServiceNow incident event log as an Autotask export folder (test helper).

Source: `tests/data/itsm/uci_servicenow_incidents/incident_event_log.zip` (Amaral, Fantinato
& Peres, 2018, CC BY 4.0; see the README.md next to it). The zip holds one CSV with one row
per update of an incident: 141,712 rows for 24,918 incidents, 36 columns, dates written
`d/m/yyyy HH:MM` without a time zone, `?` for a missing value.

`write_export(read_events(zip_path), out_dir)` writes the layout `stip import autotask DIR`
reads (docs/autotask.md, "Offline import"): `Tickets/page-NNN.json` pages of 500 records in the
API's query shape, `Tickets/fields.json` with the picklists, `Companies.json` and
`Resources.json`. Field names and value shapes are those of the Autotask REST API as
`stip.connectors.autotask.mapping` reads them.

Which row is an incident's final state
--------------------------------------
The row with the highest `sys_mod_count` (ServiceNow's per-record update counter); where
two rows share it (one incident, INC0000135, has an "Active" and a "Closed" row with the
same count) the one later in the file. Every incident's last row in file order has its
highest count, so this is also "the last row in the file". A ticket export is a snapshot of
each ticket as it is now, and the highest update counter is the latest version of the
record (the SOURCE.md that came with the data recommends the same rule).
In this log every final row is `incident_state` "Closed" with `active` false.

Mapping (source column -> Autotask field)
-----------------------------------------
- `number` `INC0000045` -> `id` 45 (the digits; unique) and `ticketNumber` "INC0000045".
- Times: the source has no time zone. They are read as wall-clock times of the service desk
  in `TIME_ZONE` (Europe/Amsterdam, Stip's default `STIP_TIMEZONE`) and written as UTC with
  a `Z`, as the API sends them. The opening hours peak 08:00-17:00 on weekdays, so local
  wall-clock time is the reading under which business hours mean something. A local time
  that does not exist (the spring-forward hour, 2016-03-27 02:00-03:00; four `closed_at`
  values and the same four `sys_updated_at` fall in it) moves forward to 03:00
  (`nonexistent="shift_forward"`); an ambiguous one (the autumn hour repeated on
  2016-10-30; none in the mapped columns of final rows) is read as the first, summer-time
  occurrence.
- `opened_at` -> `createDate` (always set; `sys_created_at` is missing for 11,495 of them).
- `closed_at` -> `completedDate`: Autotask sets completedDate when the ticket reaches
  status Complete, and ServiceNow's "Closed" is that state. `resolved_at` ->
  `resolvedDateTime` (missing for 1,556 incidents, which then have none). "Resolved" in
  ServiceNow is the engineer's fix; "Closed" follows it by a median of 5.0 days (half of
  them between 5.01 and 5.03 days: an automatic closure), so
  `resolution_hours_mean` (createDate -> resolvedDateTime) measures the fix, while
  `tickets_completed` and `open_backlog` follow the closure.
- `incident_state` -> `status`: "Closed" -> 5 (Complete, the Autotask system value), any
  other state -> 1 (New) with no completedDate. Only "Closed" occurs in the final rows, so
  every ticket has status 5 and a completedDate (the tests check this).
- `priority` "1 - Critical" .. "4 - Low" -> `priority` 1..4, with the source labels as the
  picklist labels in `Tickets/fields.json` (a tenant's own priority picklist).
- `assignment_group` "Group 56" -> `queueID` 56, picklist label "Group 56"; `?` -> null.
- `assigned_to` "Resolver 216" -> `assignedResourceID` 216; `?` -> null (725 unassigned).
  Each resolver becomes a Resource (firstName "Resolver", lastName "216", so Stip shows
  "Resolver 216"; `isActive` true).
- `location` "Location 143" -> `companyID` 143 (the log has no customer field; the caller's
  location is the closest thing to a client site); each becomes a Company named
  "Location 143". `?` -> null.
- `made_sla` -> `serviceLevelAgreementHasBeenMet`, with `serviceLevelAgreementID` 1 on every
  ticket (one SLA; the log says whether it was met, not which SLA applied).
  `ServiceLevelAgreementResults` are not written: the contract's `sla_met_rate` reads the
  ticket fields, and `made_sla` does not say which milestone (response, resolution) it is.
- `sys_updated_at` of the final row -> `lastActivityDate`; `ticketType` 2 (Incident).
- Not mapped: `firstResponseDateTime` and `dueDateTime` (the log has neither), `caller_id`
  (a contact, not needed by the contract KPIs), `resolved_by` ("Resolved by N" is
  anonymised separately from "Resolver N", so it cannot be matched to a resource).

Dropped incidents: none. All 24,918 incidents become tickets; `DROPPED` says so, and the
tests check it against the import's record count.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TIME_ZONE = "Europe/Amsterdam"
SOURCE_FORMAT = "%d/%m/%Y %H:%M"
PAGE_SIZE = 500
SLA_ID = 1
INCIDENT = 2  # Autotask ticketType "Incident"
COMPLETE = 5  # Autotask status "Complete"
STATUS = {
    "Closed": COMPLETE,
    "Resolved": COMPLETE,
    "New": 1,
    "Active": 8,
    "Awaiting User Info": 7,
    "Awaiting Vendor": 7,
    "Awaiting Problem": 7,
    "Awaiting Evidence": 7,
}
DROPPED: dict[str, int] = {}  # reason -> incidents; nothing is dropped (see the docstring)


def read_events(zip_path: Path) -> pd.DataFrame:
    """The raw event log, every column as text (`?` kept as it is)."""
    return pd.read_csv(zip_path, dtype=str, keep_default_na=False)


def final_rows(events: pd.DataFrame) -> pd.DataFrame:
    """One row per incident: highest `sys_mod_count`, ties to the later row in the file."""
    order = events.assign(
        _mods=events["sys_mod_count"].astype(int), _pos=np.arange(len(events))
    ).sort_values(["number", "_mods", "_pos"], kind="stable")
    return order.groupby("number", sort=False).tail(1).drop(columns=["_mods", "_pos"])


def local_times(values: pd.Series) -> pd.Series:
    """Source text (`d/m/yyyy HH:MM`, `?` = missing) -> naive local wall-clock datetimes."""
    return pd.to_datetime(values.where(values != "?"), format=SOURCE_FORMAT)


def utc_text(values: pd.Series) -> list[str | None]:
    """Local wall-clock text -> Autotask UTC text `2016-03-01T08:15:00Z` (None if missing)."""
    local = local_times(values)
    aware = local.dt.tz_localize(
        TIME_ZONE, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
    )
    utc = aware.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [None if pd.isna(v) else v for v in utc]


def numbered(values: pd.Series, prefix: str) -> list[int | None]:
    """`"Resolver 216"` -> 216; `?` -> None. Anything else is a converter bug: raise."""
    out: list[int | None] = []
    for value in values:
        if value == "?":
            out.append(None)
            continue
        head, _, digits = value.rpartition(" ")
        if head.strip() != prefix or not digits.isdigit():
            raise ValueError(f"expected '{prefix} N' or '?', got {value!r}")
        out.append(int(digits))
    return out


def priority_value(label: str) -> int:
    return int(label.split(" - ", 1)[0])


def tickets(final: pd.DataFrame) -> list[dict[str, Any]]:
    is_closed = list(final["incident_state"] == "Closed")
    completed = utc_text(final["closed_at"])
    columns = {
        "id": [int(n.removeprefix("INC")) for n in final["number"]],
        "ticketNumber": list(final["number"]),
        "title": [
            f"{c} / {s} / {u}"
            for c, s, u in zip(
                final["category"], final["subcategory"], final["u_symptom"], strict=True
            )
        ],
        "ticketType": [INCIDENT] * len(final),
        "status": [COMPLETE if closed else 1 for closed in is_closed],
        "priority": [priority_value(p) for p in final["priority"]],
        "queueID": numbered(final["assignment_group"], "Group"),
        "assignedResourceID": numbered(final["assigned_to"], "Resolver"),
        "companyID": numbered(final["location"], "Location"),
        "serviceLevelAgreementID": [SLA_ID] * len(final),
        "serviceLevelAgreementHasBeenMet": [m == "true" for m in final["made_sla"]],
        "createDate": utc_text(final["opened_at"]),
        "resolvedDateTime": utc_text(final["resolved_at"]),
        "completedDate": [t if c else None for t, c in zip(completed, is_closed, strict=True)],
        "lastActivityDate": utc_text(final["sys_updated_at"]),
    }
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "items": items,
        "pageDetails": {
            "count": len(items),
            "requestCount": PAGE_SIZE,
            "prevPageUrl": None,
            "nextPageUrl": None,
        },
    }


def _picklist(name: str, values: dict[int, str]) -> dict[str, Any]:
    return {
        "name": name,
        "isPickList": True,
        "picklistValues": [
            {"value": str(v), "label": label, "isActive": True, "sortOrder": i}
            for i, (v, label) in enumerate(sorted(values.items()))
        ],
    }


def write_export(events: pd.DataFrame, out_dir: Path) -> dict[str, int]:
    """Write the Autotask export of the event log into `out_dir`; returns records per entity.

    `events` is `read_events(zip_path)`; it is not changed."""
    final = final_rows(events)
    rows = tickets(final)
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = out_dir / "Tickets"
    folder.mkdir()
    rows.sort(key=lambda r: r["id"])
    for start in range(0, len(rows), PAGE_SIZE):
        page = folder / f"page-{start // PAGE_SIZE + 1:03d}.json"
        page.write_text(json.dumps(_page(rows[start : start + PAGE_SIZE])))

    priorities = {priority_value(p): p for p in final["priority"].unique()}
    queues = {q: f"Group {q}" for q in {r["queueID"] for r in rows} if q is not None}
    fields = [_picklist("priority", priorities), _picklist("queueID", queues)]
    (folder / "fields.json").write_text(json.dumps({"fields": fields}))

    resources = sorted({r["assignedResourceID"] for r in rows} - {None})
    (out_dir / "Resources.json").write_text(
        json.dumps(
            _page(
                [
                    {"id": i, "firstName": "Resolver", "lastName": str(i), "isActive": True}
                    for i in resources
                ]
            )
        )
    )
    companies = sorted({r["companyID"] for r in rows} - {None})
    (out_dir / "Companies.json").write_text(
        json.dumps(
            _page([{"id": i, "companyName": f"Location {i}", "isActive": True} for i in companies])
        )
    )
    return {"Tickets": len(rows), "Resources": len(resources), "Companies": len(companies)}
