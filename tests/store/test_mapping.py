from __future__ import annotations

import datetime as dt
import json

import pytest

from stip.connectors.autotask.mapping import map_picklists, map_record, parse_datetime
from stip.errors import ConnectorError
from stip.store.schema import TABLES_BY_ENTITY


def test_datetimes_without_offset_are_utc_and_offsets_convert() -> None:
    assert parse_datetime("2024-01-31T15:04:05.307") == dt.datetime(2024, 1, 31, 15, 4, 5, 307000)
    assert parse_datetime("2024-01-31T15:04:05Z") == dt.datetime(2024, 1, 31, 15, 4, 5)
    assert parse_datetime("2024-01-31T16:04:05+01:00") == dt.datetime(2024, 1, 31, 15, 4, 5)
    assert parse_datetime("2024-01-31T15:04:05.1234567Z") == dt.datetime(
        2024, 1, 31, 15, 4, 5, 123456
    )


def test_ticket_record_maps_to_canonical_columns() -> None:
    record = {
        "id": 29682885,
        "title": "<img src=x onerror=alert(1)>",
        "createDate": "2026-10-26T07:15:00Z",
        "queueID": "29683354",
        "serviceLevelAgreementHasBeenMet": "true",
        "userDefinedFields": [],
    }
    row = map_record(TABLES_BY_ENTITY["Tickets"], record)
    assert row["id"] == 29682885
    assert row["queue_id"] == 29683354
    assert row["create_date"] == dt.datetime(2026, 10, 26, 7, 15)
    assert row["service_level_agreement_has_been_met"] is True
    assert row["title"] == "<img src=x onerror=alert(1)>"
    assert row["completed_date"] is None


def test_date_only_fields_keep_the_date_as_returned() -> None:
    row = map_record(
        TABLES_BY_ENTITY["TimeEntries"], {"id": 1, "dateWorked": "2026-03-29T00:00:00"}
    )
    assert row["date_worked"] == dt.date(2026, 3, 29)


def test_udfs_are_kept_as_json_strings() -> None:
    record = {
        "id": 5,
        "companyName": "Acme",
        "userDefinedFields": [{"name": "Users", "value": "40"}],
    }
    row = map_record(TABLES_BY_ENTITY["Companies"], record)
    assert json.loads(str(row["udf"])) == {"Users": "40"}


def test_bad_value_names_entity_record_and_field() -> None:
    with pytest.raises(ConnectorError, match=r"Tickets id 9: field 'queueID'"):
        map_record(TABLES_BY_ENTITY["Tickets"], {"id": 9, "queueID": "abc"})


def test_picklists_cast_values_and_keep_inactive() -> None:
    fields = [
        {
            "name": "queueID",
            "isPickList": True,
            "picklistValues": [
                {"value": "5", "label": "Servicedesk", "isActive": True, "sortOrder": 1},
                {"value": "6", "label": "Old queue", "isActive": False, "sortOrder": 2},
            ],
        },
        {"name": "title", "isPickList": False},
    ]
    rows = map_picklists("Tickets", fields)
    assert [(r["value"], r["label"], r["is_active"]) for r in rows] == [
        (5, "Servicedesk", True),
        (6, "Old queue", False),
    ]
