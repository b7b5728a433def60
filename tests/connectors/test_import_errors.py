"""`stip import autotask DIR` on malformed input: exit 1, one stderr line naming the file,
record and field, and the store exactly as before (audit 7, defects 2-5, 10, 12-14)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stip.app import Stip
from stip.connectors.autotask.importer import import_dir
from stip.connectors.autotask.mapping import map_picklists, map_records
from stip.errors import ConnectorError, UserError
from stip.store.schema import TABLES


def _page(items: list[Any]) -> dict[str, Any]:
    return {"items": items, "pageDetails": {"count": len(items), "nextPageUrl": None}}


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def _valid(root: Path) -> Path:
    _write(
        root / "Tickets" / "page-001.json",
        _page(
            [
                {"id": 101, "title": "Printer", "createDate": "2026-01-05T08:00:00Z"},
                {"id": 102, "title": "Mail", "createDate": "2026-01-06T08:00:00Z"},
            ]
        ),
    )
    _write(root / "Tickets" / "page-002.json", _page([{"id": 103, "title": "VPN"}]))
    _write(root / "Companies.json", _page([{"id": 10, "companyName": "Acme"}]))
    _write(
        root / "ServiceLevelAgreementResults.json",
        _page([{"id": 901, "ticketID": 101, "isResolutionMet": True}]),
    )
    return root


def _snapshot() -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    stip = Stip.load()
    rows = {}
    with stip.store.read() as con:
        for table in TABLES:
            data = con.table(table.name).to_pyarrow().to_pylist()
            rows[table.name] = sorted((tuple(map(repr, r.values())) for r in data), key=str)
    return stip.store.data_version(), rows


@pytest.fixture
def base(stip_home: Path, tmp_path: Path) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    import_dir(Stip.load().store, _valid(tmp_path / "valid"))
    return _snapshot()


def _run(directory: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "stip", "import", "autotask", directory],
        capture_output=True,
        text=True,
    )


def _fails(directory: Path | str, *expected: str, prefix: tuple[str, ...] = ()) -> str:
    result = _run(str(directory), prefix)
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


T = "Tickets/page-002.json"
TE = "TimeEntries.json"
DEL = "DeletedTicketLogs.json"
FIELDS = "Tickets/fields.json"
UDF = "Companies.json"


def _te(**fields: object) -> dict[str, Any]:
    return _page([{"id": 501, "ticketID": 101, "dateWorked": "2026-01-05T00:00:00", **fields}])


def _pick(**item: object) -> dict[str, Any]:
    value = {"value": "1", "label": "x", **item}
    return {"fields": [{"name": "queueID", "isPickList": True, "picklistValues": [value]}]}


# (case, file, content, texts the error line must hold)
CASES: list[tuple[str, str, object, tuple[str, ...]]] = [
    # 2: fractions, booleans and huge numbers in int fields
    ("id_fraction", T, _page([{"id": 103.7}]), ("id 103.7", "'id'", "whole number")),
    ("id_text_fraction", T, _page([{"id": "103.9"}]), ("'id'", "not a whole number")),
    ("id_bool", T, _page([{"id": True}]), ("id true", "'id'", "whole number")),
    ("company_fraction", T, _page([{"id": 103, "companyID": 1.5}]), ("id 103", "'companyID'")),
    ("id_huge", T, _page([{"id": 10**23}]), ("'id'", "64-bit")),
    ("company_huge", T, _page([{"id": 103, "companyID": 10**23}]), ("id 103", "'companyID'")),
    # 3: non-finite numbers
    ("nan", TE, '{"items": [{"id": 501, "hoursWorked": NaN}]}', (":1:", "NaN", "finite")),
    ("inf", TE, '{"items": [\n{"id": 501, "hoursWorked": Infinity}]}', (":2:", "Infinity")),
    ("minus_inf", TE, '{"items": [{"id": 501, "hoursWorked": -Infinity}]}', ("-Infinity",)),
    ("overflow", TE, '{"items": [{"id": 501, "hoursWorked": 1e400}]}', (":1:", "1e400")),
    ("id_overflow", T, '{"items": [{"id": 1e400}]}', ("1e400", "finite")),
    ("nan_text", TE, _te(hoursWorked="NaN"), ("id 501", "'hoursWorked'", "finite")),
    # 4: malformed input that used to crash with exit 2
    ("date_number", TE, _te(dateWorked=20260105), ("id 501", "'dateWorked'", "a date such as")),
    ("del_ticket", DEL, _page([{"id": 1, "ticketID": "abc"}]), ("id 1", "'ticketID'")),
    (
        "del_date",
        DEL,
        _page([{"id": 1, "ticketID": 103, "deletedDateTime": "yesterday"}]),
        ("id 1", "'deletedDateTime'", "a date-time such as 2026-10-01T08:00:00Z"),
    ),
    (
        "del_by",
        DEL,
        _page([{"id": 1, "ticketID": 103, "deletedByResourceID": "abc"}]),
        ("id 1", "'deletedByResourceID'", "whole number"),
    ),
    (
        "fields_noname",
        FIELDS,
        {"fields": [{"isPickList": True, "picklistValues": [{"value": "1"}]}]},
        ("fields[0]", '"name"'),
    ),
    ("fields_parent", FIELDS, _pick(parentValue="abc"), ("'queueID'", "'parentValue'")),
    ("fields_sort", FIELDS, _pick(sortOrder="abc"), ("'queueID'", "'sortOrder'")),
    ("fields_active", FIELDS, _pick(isActive="maybe"), ("'queueID'", "'isActive'", "true or")),
    (
        "fields_values",
        FIELDS,
        {"fields": [{"name": "queueID", "isPickList": True, "picklistValues": 5}]},
        ("'queueID'", "picklistValues"),
    ),
    ("fields_elem", FIELDS, {"fields": ["queueID"]}, ("fields[0]", "JSON object")),
    (
        "udf_noname",
        UDF,
        _page([{"id": 10, "userDefinedFields": [{"value": 1}]}]),
        ("Companies id 10", "userDefinedFields", '"name"'),
    ),
    (
        "udf_text",
        UDF,
        _page([{"id": 10, "userDefinedFields": "x"}]),
        ("Companies id 10", "userDefinedFields", "list"),
    ),
    # 10: wrong-typed values are refused, not coerced
    ("bool_maybe", TE, _te(isNonBillable="maybe"), ("id 501", "'isNonBillable'", "true or false")),
    ("bool_5", TE, _te(isNonBillable=5), ("id 501", "'isNonBillable'", "true or false")),
    ("bool_1", TE, _te(isNonBillable=1), ("'isNonBillable'", "true or false")),
    ("title_object", T, _page([{"id": 103, "title": {"a": 1}}]), ("id 103", "'title'", "text")),
    ("title_list", T, _page([{"id": 103, "title": [1, 2]}]), ("id 103", "'title'", "text")),
    ("date_garbage", TE, _te(dateWorked="2026-01-05garbage"), ("id 501", "'dateWorked'")),
    ("ts_garbage", T, _page([{"id": 103, "createDate": "2026-01-05T08:00:00Zjunk"}]), ("id 103",)),
    # 13: messages say how to fix it
    (
        "ts_words",
        T,
        _page([{"id": 103, "createDate": "yesterday"}]),
        ("id 103", "'createDate'", "a date-time such as 2026-10-01T08:00:00Z"),
    ),
    ("not_utf8", T, '{"items": [{"id": 103, "title": "caf\xe9"}]}'.encode("latin-1"), ("UTF-8",)),
    ("bad_json", T, '{"items": [\n{"id": 1,}]}', (":2:", "not valid JSON")),
]


@pytest.mark.parametrize(("case", "name", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_1_names_it_and_changes_nothing(
    base: tuple[str, Any], tmp_path: Path, case: str, name: str, content: object, expected: tuple
) -> None:
    root = _valid(tmp_path / case)
    path = _write(root / name, content)
    line = _fails(root, str(path), *expected)
    assert line.startswith("error: ") and "internal error" not in line
    assert _snapshot() == base


def test_not_utf8_says_save_as_utf8(base: tuple[str, Any], tmp_path: Path) -> None:
    root = _valid(tmp_path / "latin")
    _write(root / T, '{"items": [{"id": 103, "title": "caf\xe9"}]}'.encode("latin-1"))
    assert "save it as UTF-8" in _fails(root, f"{root / T}:1:")


# 5: unreadable folders, extension case, subfolders, other files ------------------------------


def test_unreadable_entity_folder_is_an_error(base: tuple[str, Any], tmp_path: Path) -> None:
    root = _valid(tmp_path / "perm")
    folder = root / "Tickets"
    folder.chmod(0)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root reads everything: drop the capabilities that allow it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        caps = "-dac_override,-dac_read_search"
        prefix = ("setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}")
    try:
        _fails(root, str(folder), "cannot read the folder", "read access", prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert _snapshot() == base


def test_unreadable_entity_folder_in_process(
    stip_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _valid(tmp_path / "perm")
    stip = Stip.load()
    real = Path.iterdir

    def iterdir(self: Path) -> Any:
        if self.name == "Tickets":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(UserError, match=r"Tickets: cannot read the folder \(Permission denied\)"):
        import_dir(stip.store, root)
    assert stip.store.data_version() == "0"


def test_upper_case_json_extension_is_read(stip_home: Path, tmp_path: Path) -> None:
    root = _valid(tmp_path / "upper")
    (root / T).rename(root / "Tickets" / "page-002.JSON")
    (root / "Companies.json").rename(root / "Companies.JSON")
    report = import_dir(Stip.load().store, root)
    assert report.records["Tickets"] == 3 and report.records["Companies"] == 1


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda r: (r / T).rename(_mkdir(r / "Tickets" / "2026") / "page-002.json"), "folders"),
        (lambda r: _write(r / "Tickets" / "notes.txt", "hi"), "not a .json file"),
        (lambda r: _write(r / "README.md", "hi"), "not a .json file"),
    ],
    ids=["subfolder", "txt_in_entity_folder", "txt_at_top"],
)
def test_unexpected_files_are_an_error(
    base: tuple[str, Any], tmp_path: Path, setup: Callable[[Path], object], expected: str
) -> None:
    root = _valid(tmp_path / "odd")
    setup(root)
    _fails(root, expected)
    assert _snapshot() == base


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_dot_files_are_skipped(stip_home: Path, tmp_path: Path) -> None:
    root = _valid(tmp_path / "dots")
    _write(root / ".DS_Store", b"\0")
    _write(root / "Tickets" / ".page.json.swp", b"\0")
    assert import_dir(Stip.load().store, root).records["Tickets"] == 3


# 12: deleted tickets take their SLA results with them -----------------------------------------


def _sla_ids() -> list[int]:
    with Stip.load().store.read() as con:
        return sorted(con.table("sla_results").to_pyarrow()["id"].to_pylist())


def test_deleted_tickets_remove_stored_sla_results(base: tuple[str, Any], tmp_path: Path) -> None:
    assert _sla_ids() == [901]
    root = tmp_path / "del"
    _write(root / DEL, _page([{"id": 1, "ticketID": 101, "deletedDateTime": "2026-01-08T00:00"}]))
    assert _run(str(root)).returncode == 0
    assert _sla_ids() == []


def test_deleted_tickets_remove_sla_results_of_the_same_import(
    stip_home: Path, tmp_path: Path
) -> None:
    root = _valid(tmp_path / "both")
    _write(root / DEL, _page([{"id": 1, "ticketID": 101}]))
    import_dir(Stip.load().store, root)
    assert _sla_ids() == []


# 13: duplicate ids are documented last-wins, counted once ----------------------------------


def test_duplicate_ids_last_wins_and_count_once(stip_home: Path, tmp_path: Path) -> None:
    root = _valid(tmp_path / "dup")
    _write(root / T, _page([{"id": 103, "title": "a"}, {"id": 101, "title": "later"}]))
    result = _run(str(root))
    assert result.returncode == 0, result.stderr
    assert "Tickets: 3" in result.stdout
    assert "imported 5 records" in result.stdout
    assert "1 records appeared more than once; the copy read last was kept" in result.stdout
    with Stip.load().store.read() as con:
        rows = con.table("tickets").select("id", "title").to_pyarrow().to_pylist()
    assert {r["id"]: r["title"] for r in rows} == {101: "later", 102: "Mail", 103: "a"}


# 14: an empty DIR is not the current folder ---------------------------------------------------


def test_empty_dir_argument_is_an_error(
    base: tuple[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _valid(tmp_path / "cwd")
    monkeypatch.chdir(tmp_path / "cwd")  # holds entity files: must not be loaded
    _fails("", "DIR is empty")
    _fails("  ", "DIR is empty")
    assert _snapshot() == base


# The stricter mapping keeps every value the real API sends working ----------------------------


def test_values_the_api_sends_still_map() -> None:
    row = map_records(
        "TimeEntries",
        [
            {
                "id": 501,
                "ticketID": "101",
                "resourceID": 7.0,
                "dateWorked": "2026-01-05T00:00:00",
                "startDateTime": "2026-01-05T08:00:00.123Z",
                "hoursWorked": 1,
                "isNonBillable": False,
            }
        ],
    )[0]
    assert row["id"] == 501 and row["ticket_id"] == 101 and row["resource_id"] == 7
    assert row["hours_worked"] == 1.0 and row["is_non_billable"] is False
    assert str(row["date_worked"]) == "2026-01-05"
    assert map_records("Tickets", [{"id": 1.0, "title": 42}])[0] == {
        **map_records("Tickets", [{"id": 1, "title": "42"}])[0]
    }
    assert map_records("Tickets", [{"id": -9223372036854775808}])[0]["id"] == -(2**63)
    rows = map_picklists(
        "Tickets",
        [
            {"name": "x", "isPickList": False, "picklistValues": None},
            {
                "name": "queueID",
                "isPickList": True,
                "picklistValues": [
                    {"value": "5", "label": "A", "isActive": True, "sortOrder": 0},
                    {"value": "6", "label": "B", "parentValue": "", "isActive": False},
                    {"value": "abc", "label": "skipped"},
                ],
            },
        ],
    )
    assert [(r["value"], r["is_active"]) for r in rows] == [(5, True), (6, False)]


def test_mapping_error_names_record_and_field() -> None:
    with pytest.raises(ConnectorError, match=r"Tickets id 1: field 'companyID' has value 1.5"):
        map_records("Tickets", [{"id": 1, "companyID": 1.5}])
