"""`stip kpi ...` as a user runs it: exit codes, one-line errors, the contract JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .msp_fixture import build_batch
from .test_contract_kpis import OCTOBER

CONTRACT_IDS = sorted({kpi for kpi, _, _ in OCTOBER})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from stip.store.store import open_store

    path = tmp_path_factory.mktemp("cli") / "stip.duckdb"
    open_store(str(path)).apply(build_batch())
    return str(path)


def stip(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env["STIP_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "stip", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_list_table_never_cuts_an_id(tmp_path: Path) -> None:
    """Piped (80 columns), ids came out as "csat_p…": not the id a user needs to copy."""
    done = stip(tmp_path, "kpi", "list")
    assert done.returncode == 0, done.stderr
    for kpi_id in (
        "negative_feedback_rate",
        "time_entry_compliance",
        "first_response_hours_median",
    ):
        assert f"│ {kpi_id} " in done.stdout
    assert "…" not in done.stdout


def test_list_json(tmp_path: Path) -> None:
    done = stip(tmp_path, "kpi", "list", "--json")
    assert done.returncode == 0, done.stderr
    items = {item["id"]: item for item in json.loads(done.stdout)["kpis"]}
    assert set(CONTRACT_IDS) <= set(items)
    sla = items["sla_met_rate"]
    assert sla["name_en"] == "SLA met rate" and sla["name_nl"] == "SLA-naleving"
    assert (sla["unit"], sla["direction"], sla["group"]) == ("%", "higher_better", "responsiveness")
    assert "teamlead" in sla["roles"] and sla["description"] and sla["has_actions"] is True
    assert items["tickets_created"]["has_actions"] is False
    # the guardrail: a person's SLA share is judged on at least 10 tickets; a count on any
    assert (sla["min_n"], items["tickets_created"]["min_n"]) == (10, None)


def test_values_json_matches_the_contract(tmp_path: Path, db: str) -> None:
    done = stip(
        tmp_path,
        "kpi",
        "values",
        "sla_met_rate",
        "--period",
        "2026-10",
        "--by",
        "resource",
        "--as-of",
        "2026-11-02T09:00",
        "--db",
        db,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "kpi": "sla_met_rate",
        "unit": "%",
        "as_of": "2026-11-02T09:00:00+01:00",
        "period": {"start": "2026-10-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "rows": [
            {
                "by": {"resource_id": 1, "resource": "Jan de Vries"},
                "value": 50.0,
                "n": 2,
                "target": 95.0,
                "status": "red",
            },
            {
                "by": {"resource_id": 2, "resource": "Anna Bakker"},
                "value": 100.0,
                "n": 1,
                "target": 95.0,
                "status": "green",
            },
        ],
    }


def test_values_table_and_actions(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "kpi", "values", "tickets_created", "--period", "2026-10", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Tickets created" in done.stdout and " 7 " in done.stdout
    done = stip(
        tmp_path,
        "kpi",
        "actions",
        "overdue_tickets",
        "--as-of",
        "2026-10-28T10:00",
        "--db",
        db,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["kpi"], data["as_of"]) == ("overdue_tickets", "2026-10-28T10:00:00+01:00")
    assert [(r["ticket_id"], r["person"]) for r in data["rows"]] == [(10, None), (3, "Anna Bakker")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["values", "tickets_creatd", "--period", "2026-10"], "unknown KPI 'tickets_creatd'"),
        (["values", "tickets_created", "--period", "2026-13"], "period '2026-13' is not valid"),
        (
            ["values", "effective_hourly_rate", "--period", "2026-10", "--by", "resource"],
            "cannot be split by resource",
        ),
        (["actions", "overdue_tickets", "--as-of", "soon"], "as-of 'soon'"),
        # exit 0 with no rows read as "nothing to act on" (the API answers 404)
        (["actions", "mrr", "--json"], "KPI mrr has no action list; `stip kpi list` shows"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    tmp_path: Path, db: str, args: list[str], message: str
) -> None:
    done = stip(tmp_path, "kpi", *args, "--db", db)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in done.stderr


def test_validate(tmp_path: Path) -> None:
    good = stip(tmp_path, "kpi", "validate")
    assert good.returncode == 0, good.stderr
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "bad.yaml").write_text("kpis:\n  - id: Bad Id\n")
    bad = stip(tmp_path, "kpi", "validate", str(folder))
    assert bad.returncode == 1
    assert f"{folder / 'bad.yaml'}:2: KPI Bad Id:" in bad.stderr
