from __future__ import annotations

import datetime as dt

import pytest

from stip.connectors.autotask.query import (
    any_of,
    cond,
    filter_fields,
    query_body,
    validate_filters,
)
from stip.errors import ConnectorError


def test_misspelled_operator_is_refused_before_sending_with_a_suggestion() -> None:
    with pytest.raises(ConnectorError, match=r"unknown filter operator 'noteqq'.*'noteq'"):
        validate_filters([{"op": "noteqq", "field": "status", "value": 5}], "Tickets")


def test_ne_is_refused_because_the_api_would_return_everything() -> None:
    with pytest.raises(ConnectorError, match="silently ignore"):
        validate_filters([any_of(cond("eq", "status", 1), {"op": "ne", "field": "x"})], "Tickets")


def test_an_empty_filter_is_refused() -> None:
    with pytest.raises(ConnectorError, match="needs a filter"):
        validate_filters([], "Tickets")


def test_list_operators_need_a_short_non_empty_list() -> None:
    with pytest.raises(ConnectorError, match="non-empty list"):
        validate_filters([cond("in", "ticketID", [])], "ServiceLevelAgreementResults")
    with pytest.raises(ConnectorError, match="batch them at 400"):
        validate_filters([cond("in", "ticketID", list(range(501)))], "Tickets")


def test_existence_operators_carry_no_value_and_pass() -> None:
    item = cond("exist", "completedDate")
    assert item == {"op": "exist", "field": "completedDate"}
    validate_filters([item, cond("notExist", "dueDateTime")], "Tickets")


def test_datetimes_are_sent_as_utc_with_milliseconds() -> None:
    value = cond("gte", "lastActivityDate", dt.datetime(2026, 10, 1, 7, 5, 3, 250999))["value"]
    assert value == "2026-10-01T07:05:03.250"


def test_max_records_must_be_between_1_and_500() -> None:
    with pytest.raises(ConnectorError, match="between 1 and 500"):
        query_body([cond("gte", "id", 0)], max_records=501)
    body = query_body([cond("gte", "id", 0)], ["title", "id"], max_records=500)
    assert body == {
        "maxRecords": 500,
        "filter": [{"op": "gte", "field": "id", "value": 0}],
        "includeFields": ["id", "title"],
    }


def test_filter_fields_walks_groups() -> None:
    filters = [
        any_of(cond("gt", "id", 3), cond("gte", "completeDate", "2026-01-01")),
        cond("eq", "a", 1),
    ]
    assert filter_fields(filters) == {"id", "completeDate", "a"}
