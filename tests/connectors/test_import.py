from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from autotask_helpers import store_ids

from stip.app import Stip
from stip.connectors.autotask.importer import import_dir
from stip.errors import UserError


def _page(items: list[dict], count: int | None = None) -> dict:
    return {
        "items": items,
        "pageDetails": {
            "count": count or len(items),
            "requestCount": 500,
            "prevPageUrl": None,
            "nextPageUrl": None,
        },
    }


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    _write(
        root / "Tickets" / "page-001.json",
        _page(
            [
                {
                    "id": 1,
                    "title": "A",
                    "queueID": "29683354",
                    "createDate": "2026-10-01T08:00:00Z",
                },
                {"id": 2, "title": "B", "createDate": "2026-10-02T08:00:00Z"},
            ]
        ),
    )
    _write(
        root / "Tickets" / "page-002.json",
        _page([{"id": 3, "title": "C"}, {"id": 2, "title": "B2"}]),
    )
    _write(
        root / "Tickets" / "fields.json",
        {
            "fields": [
                {
                    "name": "queueID",
                    "isPickList": True,
                    "picklistValues": [
                        {
                            "value": "29683354",
                            "label": "Service Desk",
                            "isActive": True,
                            "sortOrder": 1,
                        },
                        {"value": "7", "label": "Old", "isActive": False, "sortOrder": 2},
                    ],
                },
            ]
        },
    )
    _write(
        root / "Companies.json", _page([{"id": 10, "companyName": "Acme", "userDefinedFields": []}])
    )
    _write(
        root / "DeletedTicketLogs.json",
        _page(
            [
                {
                    "id": 5,
                    "ticketID": 3,
                    "deletedByResourceID": 4,
                    "deletedDateTime": "2026-10-05T10:00:00",
                },
            ]
        ),
    )
    return root


def _count(stip: Stip, table: str) -> int:
    with stip.store.read() as con:
        return int(con.table(table).count().execute())


def test_import_loads_both_layouts_picklists_and_deletions(stip_home: Path, export: Path) -> None:
    stip = Stip.load()
    report = import_dir(stip.store, export)
    # ticket 2 is on both pages: counted once, the later copy wins
    assert report.records == {"Tickets": 3, "Companies": 1} and report.duplicates == 1
    assert report.picklist_values == 2 and report.deleted == 1 and report.files == 5
    assert store_ids(stip, "Tickets") == [1, 2]
    assert store_ids(stip, "Companies") == [10]
    with stip.store.read() as con:
        titles = {r["id"]: r["title"] for r in con.table("tickets").to_pyarrow().to_pylist()}
        deleted = con.table("deleted_records").to_pyarrow().to_pylist()
        runs = con.table("sync_runs").to_pyarrow().to_pylist()
    assert titles == {1: "A", 2: "B2"}
    assert [(d["entity"], d["id"], d["deleted_by_resource_id"]) for d in deleted] == [
        ("Tickets", 3, 4)
    ]
    assert runs[0]["mode"] == "import" and runs[0]["records"] == 4
    assert _count(stip, "picklists") == 2
    import_dir(stip.store, export)
    assert store_ids(stip, "Tickets") == [1, 2]


def _assert_unchanged(stip: Stip, version: str) -> None:
    assert stip.store.data_version() == version
    assert store_ids(stip, "Tickets") == [1, 2]


@pytest.fixture
def loaded(stip_home: Path, export: Path) -> tuple[Stip, str]:
    stip = Stip.load()
    import_dir(stip.store, export)
    return stip, stip.store.data_version()


def test_bad_json_names_the_file_and_line(loaded: tuple[Stip, str], tmp_path: Path) -> None:
    stip, version = loaded
    root = tmp_path / "bad"
    _write(root / "Tickets" / "page-001.json", _page([{"id": 9, "title": "fine"}]))
    broken = root / "Tickets" / "page-002.json"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text('{\n  "items": [\n    {"id": 1,}\n  ]\n}\n')
    with pytest.raises(UserError, match=rf"{broken}:3:14: not valid JSON"):
        import_dir(stip.store, root)
    _assert_unchanged(stip, version)


def test_bad_record_names_file_record_and_field(loaded: tuple[Stip, str], tmp_path: Path) -> None:
    stip, version = loaded
    root = tmp_path / "bad"
    _write(root / "Tickets" / "page-001.json", _page([{"id": 9, "title": "fine"}]))
    page = _write(root / "Tickets" / "page-002.json", _page([{"id": 77, "queueID": "abc"}]))
    with pytest.raises(
        UserError, match=rf"{page}: Tickets id 77: field 'queueID' has value \"abc\""
    ):
        import_dir(stip.store, root)
    _assert_unchanged(stip, version)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "Tikets.json",
            _page([]),
            r"'Tikets' is not an Autotask entity .* Did you mean 'Tickets'\?",
        ),
        ("Tickets.json", {"records": []}, r"expected the API's query shape"),
        ("Tickets.json", [1, 2], r"expected a JSON object"),
        ("Tickets.json", _page([{"title": "no id"}]), r"Tickets: a record has no 'id'"),
        ("DeletedTicketLogs.json", _page([{"id": 1}]), r"DeletedTicketLogs id 1: no ticketID"),
    ],
)
def test_bad_input_is_a_user_error_and_changes_nothing(
    loaded: tuple[Stip, str], tmp_path: Path, name: str, content: object, message: str
) -> None:
    stip, version = loaded
    root = tmp_path / "bad"
    _write(root / "Companies.json", _page([{"id": 11, "companyName": "ok"}]))
    _write(root / name, content)
    with pytest.raises(UserError, match=message):
        import_dir(stip.store, root)
    _assert_unchanged(stip, version)
    assert store_ids(stip, "Companies") == [10]


def test_missing_or_empty_folder(stip_home: Path, tmp_path: Path) -> None:
    stip = Stip.load()
    with pytest.raises(UserError, match="not a folder"):
        import_dir(stip.store, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no entity files found"):
        import_dir(stip.store, tmp_path / "empty")


def test_cli_import_exit_codes(stip_home: Path, export: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "stip", "import", "autotask"]
    ok = subprocess.run([*cmd, str(export)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "imported 4 records, 2 picklist values, 1 deleted tickets from 5 files" in ok.stdout
    bad = subprocess.run([*cmd, str(tmp_path / "nope")], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: ") and "not a folder" in bad.stderr
    assert "Traceback" not in bad.stderr
