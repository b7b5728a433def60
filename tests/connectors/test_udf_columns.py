"""The number of users per client from a company user-defined field
(`[autotask] user_count_field`): Autotask has no standard field for it, and every per-user
KPI and the price simulator need it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from autotask_helpers import Connect

from stip.app import Stip
from stip.connectors.autotask.mapping import map_records
from stip.connectors.autotask.sync import run_sync
from stip.errors import ConnectorError
from stip.testing.autotask_tenant import TICKET_PICKLISTS
from stip.testing.fake_autotask import FakeAutotask


def _user_counts(stip: Stip) -> dict[int, int | None]:
    with stip.store.read() as con:
        rows = con.table("companies").select("id", "user_count").to_pyarrow().to_pylist()
    return {row["id"]: row["user_count"] for row in rows}


def test_a_sync_fills_user_count_from_the_named_field(
    fake: FakeAutotask, connect: Connect, tenant: dict
) -> None:
    stip = connect(fake, STIP_AUTOTASK_USER_COUNT_FIELD="Users")
    report = run_sync(stip)
    assert report.status == "ok" and report.warnings == []
    expected = {c["id"]: 5 + (c["id"] - 1000) % 40 for c in tenant["Companies"]}
    assert _user_counts(stip) == expected


def test_a_field_no_company_fills_is_named_with_the_fields_they_carry(
    fake: FakeAutotask, connect: Connect
) -> None:
    """A typo in the setting is no error per company, but leaves every per-user KPI without
    data: the sync says so once, with the names to choose from, and still succeeds."""
    stip = connect(fake, STIP_AUTOTASK_USER_COUNT_FIELD="Seats")
    report = run_sync(stip)
    assert report.status == "ok"
    assert report.warnings == [
        "no Companies record has a value in the user-defined field 'Seats' (read as "
        "user_count, setting [autotask] user_count_field); they carry 'Users'. Correct the "
        "setting, or fill the field in Autotask, then run `stip sync autotask --full`"
    ]
    assert set(_user_counts(stip).values()) == {None}


def test_without_the_setting_user_count_stays_empty(stip: Stip) -> None:
    assert run_sync(stip).status == "ok"
    counts = _user_counts(stip)
    assert counts and set(counts.values()) == {None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("25", 25), ("25.00", 25), (12, 12), ("", None), (None, None)],
)
def test_whole_numbers_as_autotask_sends_them(value: object, expected: int | None) -> None:
    record = {"id": 7, "userDefinedFields": [{"name": "Aantal gebruikers", "value": value}]}
    (row,) = map_records("Companies", [record], udf_columns={"user_count": "Aantal gebruikers"})
    assert row["user_count"] == expected
    assert json.loads(row["udf"]) == {"Aantal gebruikers": value}


def test_the_name_matches_whatever_its_case_or_surrounding_spaces() -> None:
    record = {"id": 7, "userDefinedFields": [{"name": " aantal Gebruikers", "value": "9"}]}
    (row,) = map_records("Companies", [record], udf_columns={"user_count": "Aantal gebruikers"})
    assert row["user_count"] == 9


def test_a_company_without_the_field_has_no_user_count() -> None:
    record = {"id": 7, "userDefinedFields": [{"name": "Other", "value": "3"}]}
    (row,) = map_records("Companies", [record], udf_columns={"user_count": "Users"})
    assert row["user_count"] is None


@pytest.mark.parametrize("value", ["about twenty", "12.5", True])
def test_a_value_that_is_no_whole_number_names_company_field_and_fix(value: object) -> None:
    record = {"id": 7, "userDefinedFields": [{"name": "Users", "value": value}]}
    with pytest.raises(ConnectorError) as caught:
        map_records("Companies", [record], udf_columns={"user_count": "Users"})
    message = str(caught.value)
    assert message.startswith("Companies id 7: user-defined field 'Users' (read as user_count)")
    assert "it must be a whole number" in message and "correct it in Autotask" in message


def test_a_bad_value_fails_the_companies_pass_and_keeps_the_store(
    connect: Connect, tenant: dict
) -> None:
    tenant["Companies"][3]["userDefinedFields"] = [{"name": "Users", "value": "lots"}]
    with FakeAutotask(tenant, picklists={"Tickets": TICKET_PICKLISTS}) as server:
        stip = connect(server, STIP_AUTOTASK_USER_COUNT_FIELD="Users")
        report = run_sync(stip)
    assert report.status != "ok"
    failed = {result.entity: result.error or "" for result in report.errors}
    assert "Companies id 1003: user-defined field 'Users'" in failed["Companies"]
    assert _user_counts(stip) == {}  # nothing of the failed pass was written


def _import(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", "import", "autotask", str(folder)],
        capture_output=True,
        text=True,
        env={
            "STIP_HOME": str(home),
            "STIP_AUTOTASK_USER_COUNT_FIELD": "Users",
            "PATH": "/usr/bin:/bin",
        },  # fmt: skip
        timeout=120,
    )


def test_import_reads_the_field_too(stip_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    page = {
        "items": [{"id": 10, "companyName": "Acme", "companyType": 1,
                   "userDefinedFields": [{"name": "Users", "value": "42"}]}],
        "pageDetails": {"count": 1, "requestCount": 500, "prevPageUrl": None,
                        "nextPageUrl": None},
    }  # fmt: skip
    (folder / "Companies.json").write_text(json.dumps(page), encoding="utf-8")
    done = _import(folder, stip_home)
    assert done.returncode == 0, done.stderr
    assert _user_counts(Stip.load()) == {10: 42}
    assert "warning" not in done.stderr
    page["items"][0]["userDefinedFields"] = [{"name": "Gebruikers", "value": "42"}]
    (folder / "Companies.json").write_text(json.dumps(page), encoding="utf-8")
    again = _import(folder, stip_home)
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith(
        "warning: no Companies record has a value in the user-defined field 'Users' "
        "(read as user_count, setting [autotask] user_count_field); they carry 'Gebruikers'."
    )
