"""`stip goals` as a user runs it: the JSON of the goals page, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stip.store.store import open_store

from .goals_fixture import GOALS, build_batch


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("goals-cli") / "stip.duckdb"
    open_store(str(path)).apply(build_batch())
    return str(path)


def stip(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env["STIP_HOME"] = str(home)
    env["COLUMNS"] = "200"  # the table's goal names on one line
    return subprocess.run(
        [sys.executable, "-m", "stip", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_show_prints_the_cascade(tmp_path: Path, db: str) -> None:
    (tmp_path / "goals.yaml").write_text(GOALS, encoding="utf-8")
    done = stip(tmp_path, "goals", "show", "--json", "--db", db, "--as-of", "2026-11-18T12:00")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["summary"] == {"green": 1, "amber": 0, "red": 2, "none": 1}
    assert [g["id"] for g in data["goals"]] == ["tickets", "satisfaction", "hours", "recurring"]
    table = stip(tmp_path, "goals", "show", "--db", db, "--as-of", "2026-11-18T12:00")
    assert table.returncode == 0, table.stderr
    assert "Tickets created [green]" in table.stdout
    assert "4 goals this quarter: 1 on track, 0 nearly, 2 off track, 1 unknown" in table.stdout
    # what the company stands for comes first, printed as written (no markup)
    assert data["clarity"]["core"][0]["kpi"] == "csat_score"
    assert table.stdout.startswith("What we stand for: Your problem is our <problem>\n")
    assert "  1. Call back every low rating today" in table.stdout
    assert "Customer satisfaction [amber]" in table.stdout and "80.00 %" in table.stdout
    assert "Monthly recurring revenue (MRR) [none]" in table.stdout and "no data" in table.stdout


def test_validate(tmp_path: Path, db: str) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(GOALS, encoding="utf-8")
    done = stip(tmp_path, "goals", "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4 goals OK"
    path.write_text(GOALS.replace("per: week", "per: fortnight"), encoding="utf-8")
    bad = stip(tmp_path, "goals", "validate", str(path))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert f"{path}:25: goals.hours.per: Input should be 'year', 'quarter', 'month' or 'week'" in (
        bad.stderr
    )
    shown = stip(tmp_path, "goals", "show", "--db", db)
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    assert f"{path}:25: goals.hours.per:" in shown.stderr


def test_a_missing_file_says_where_it_looked(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "goals", "show", "--db", db)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: no goals file at {tmp_path / 'goals.yaml'}; write one (docs/goals.md shows "
        "how) or pass --file"
    )
