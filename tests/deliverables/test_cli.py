"""`stip deliverables` as a user runs it: the JSON of the scorecards, the tables, one-line
errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stip.deliverables.loader import load_deliverables
from stip.deliverables.scorecard import scorecards
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store

from .deliverables_fixture import AS_OF, DELIVERABLES, build_batch


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("deliverables-cli") / "stip.duckdb"
    open_store(str(path)).apply(build_batch())
    return str(path)


def stip(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env["STIP_HOME"] = str(home)
    env["COLUMNS"] = "200"  # each table's columns on one line
    return subprocess.run(
        [sys.executable, "-m", "stip", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_show_json_is_the_scorecards(tmp_path: Path, db: str) -> None:
    (tmp_path / "deliverables.yaml").write_text(DELIVERABLES, encoding="utf-8")
    done = stip(tmp_path, "deliverables", "show", "--json", "--db", db, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # the same computation in this process, on a store of its own with the same rows
    home = tmp_path / "here"
    home.mkdir()
    store = open_store(str(home / "stip.duckdb"))
    store.apply(build_batch())
    engine = KpiEngine(store, Settings(home=home), load_catalog(home=home))
    spec = load_deliverables(tmp_path / "deliverables.yaml", engine.catalog)
    assert data == scorecards(engine, spec, engine.as_of(AS_OF)).to_json()
    # and the figures worked out in test_scorecard.py
    assert data["months"] == ["2026-09", "2026-10", "2026-11"]
    summary = {a["id"]: (a["status"], a["months_met"], a["months_judged"], a["amount"])
               for a in data["agreements"]}  # fmt: skip
    assert summary == {
        "acme": ("missed", 0, 2, -120.0),
        "bakker": ("met", 1, 1, None),
        "ghost": ("no_data", 0, 0, 0.0),  # not in the store: not judged
        "old_acme": ("met", 1, 1, None),
        "field_partner": ("met", 1, 2, -100.0),
        "bas": ("missed", 1, 2, None),
    }


def test_show_prints_a_table_per_agreement(tmp_path: Path, db: str) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text(DELIVERABLES, encoding="utf-8")
    done = stip(tmp_path, "deliverables", "show", "--file", str(path), "--db", db,
                "--as-of", AS_OF)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Acme managed services — Acme BV (C-100)" in out
    assert "Ghost client — unknown client #300" in out
    assert "Field partner — Field" in out and "Bas as a contractor — Bas de Vries" in out
    # the deliverable's own title, else the KPI's name; the target with its direction
    assert "Tickets logged (≤ 3.00 count)" in out and "SLA met rate (≥ 75.00 %)" in out
    assert "Resolved the same day (≥ 50.00 %)" in out
    rows = [line for line in out.splitlines() if line.startswith("│")]
    acme = [[cell.strip() for cell in row.strip("│").split("│")] for row in rows[:3]]
    assert acme == [
        ["2026-09", "50.00 ✗", "2 ✓", "2 ✗", "-90.00"],
        ["2026-10", "75.00 ✓", "4 ✗", "4 ✓", "-30.00"],
        ["2026-11 so far", "100.00 ✓", "2 ✓", "1 ✗", "-10.00"],
    ]
    # Bakker's September is before its start: empty cells, no fee column
    bakker = [[cell.strip() for cell in row.strip("│").split("│")] for row in rows[3:6]]
    assert bakker == [
        ["2026-09", "", ""],
        ["2026-10", "100.00 ✓", "3 ✓"],
        ["2026-11 so far", "100.00 ✓", "1 ✓"],
    ]
    assert "no data" in rows[6]  # the ghost client's SLA met rate
    assert "0 of 2 ended months with every deliverable met; credit and bonus: -120.00 EUR" in out
    assert "1 of 1 ended months with every deliverable met\n" in out  # Bakker: no fee
    assert "1 of 2 ended months with every deliverable met; credit and bonus: -100.00 EUR" in out


def test_validate(tmp_path: Path, db: str) -> None:
    path = tmp_path / "deliverables.yaml"
    path.write_text(DELIVERABLES, encoding="utf-8")
    done = stip(tmp_path, "deliverables", "validate")
    assert done.returncode == 0, done.stderr
    # 3 + 2 + 3 + 1 + 2 + 2 deliverables
    assert done.stdout.strip() == "6 agreements, 13 deliverables OK"
    path.write_text(DELIVERABLES.replace("kpi: tickets_completed", "kpi: utilization"), "utf-8")
    bad = stip(tmp_path, "deliverables", "validate", str(path))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert (
        f"{path}:22: agreements.acme.deliverables.2.kpi: utilization cannot be computed per "
        "client, so it cannot be judged for one; it can be split by: resource, team"
    ) in bad.stderr
    shown = stip(tmp_path, "deliverables", "show", "--db", db)
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    assert f"{path}:22: agreements.acme.deliverables.2.kpi:" in shown.stderr


def test_validate_a_yaml_mistake(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DELIVERABLES.replace("months: 2", "months: 0"), encoding="utf-8")
    bad = stip(tmp_path, "deliverables", "validate", str(path))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"{path}:3: months: Input should be greater than or equal to 1" in bad.stderr


def test_a_missing_file_says_where_it_looked(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "deliverables", "show", "--db", db)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"error: no deliverables file at {tmp_path / 'deliverables.yaml'}; write one "
        "(docs/deliverables.md shows how) or pass --file"
    )
    missing = tmp_path / "nowhere.yaml"
    checked = stip(tmp_path, "deliverables", "validate", str(missing))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert f"no deliverables file at {missing}" in checked.stderr


def test_report_writes_the_pdf_for_the_client(tmp_path: Path, db: str) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    (tmp_path / "deliverables.yaml").write_text(DELIVERABLES, encoding="utf-8")
    out = tmp_path / "acme.pdf"
    done = stip(tmp_path, "deliverables", "report", "acme", "--out", str(out), "--lang", "en",
                "--db", db, "--as-of", AS_OF)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out}"
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(out.read_bytes())).pages)
    # the CLI reads the store itself: the credits too (September -90, October -30 EUR)
    assert "Acme managed services" in text and "50.0 ✗" in text
    assert "Credit and bonus over these months: -120 €" in text
    wrong = stip(tmp_path, "deliverables", "report", "acm", "--out", str(out), "--db", db)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "no agreement 'acm' in the deliverables file. Did you mean 'acme'?" in wrong.stderr


def test_a_miss_in_the_table_never_reads_as_the_target() -> None:
    from datetime import datetime

    from stip.cli.deliverables import _cell
    from stip.deliverables.scorecard import Month

    def month(value: float, status: str) -> Month:
        moment = datetime(2026, 11, 1)
        return Month(None, True, value, 1, status, moment)  # type: ignore[arg-type]

    assert str(_cell(month(4.004, "missed"), 4.0)) == "4.004 ✗"  # not "4.00 ✗"
    assert str(_cell(month(4.0, "met"), 4.0)) == "4.00 ✓"
    assert str(_cell(month(94.4444, "missed"), 95.0)) == "94.44 ✗"
