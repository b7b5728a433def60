"""`stip clients simulate` as a user runs it: the JSON, the tables, the price from the
setting, one-line errors and exit codes (figures of test_pricing.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stip.store.schema import Batch
from stip.store.store import open_store

from .pricing_fixture import KEEP, load

PERIOD = ("--period", "2026-10", "--as-of", "2026-11-02T10:00")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pricing-cli") / "stip.duckdb"
    batch = Batch()
    load(batch)
    open_store(str(path)).apply(batch)
    return str(path)


def stip(home: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env.update(STIP_HOME=str(home), COLUMNS="200", **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "stip", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_json_judges_every_client(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "clients", "simulate", "--json", "--db", db, *PERIOD)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["price"] == 150.0
    verdicts = {c["company"]: c["verdict"] for c in data["clients"]}
    assert list(verdicts)[:2] == ["Exit BV", "Scope BV"]  # worst first, as on the page
    assert verdicts == {
        "Keep BV": "keep",
        "Band BV": "reprice",
        "Pays BV": "reprice",
        "Scope BV": "scope",
        "Exit BV": "exit",
        "Uncounted BV": None,
    }
    assert [step["price"] for step in data["sensitivity"]] == [
        90, 105, 120, 135, 150, 165, 180, 195, 210,
    ]  # fmt: skip


def test_the_price_comes_from_the_option_or_the_setting(tmp_path: Path, db: str) -> None:
    at = stip(tmp_path, "clients", "simulate", "--json", "--price", "210", "--db", db, *PERIOD)
    assert json.loads(at.stdout)["price"] == 210.0
    setting = stip(
        tmp_path, "clients", "simulate", "--json", "--db", db, *PERIOD, STIP_PRICE_PER_USER="99"
    )
    assert json.loads(setting.stdout)["price"] == 99.0

    # at 200, re-pricing reaches 250 by default and 400 with a band of 100 %: then Scope
    # (needs 357.14) and Exit (400) are re-priced too
    def verdicts(**env: str) -> dict[str, str | None]:
        args = ("clients", "simulate", "--json", "--price", "200", "--db", db, *PERIOD)
        done = stip(tmp_path, *args, **env)
        return {c["company"]: c["verdict"] for c in json.loads(done.stdout)["clients"]}

    assert (verdicts()["Scope BV"], verdicts()["Exit BV"]) == ("scope", "exit")
    wide = verdicts(STIP_REPRICE_BAND="100")
    assert (wide["Scope BV"], wide["Exit BV"]) == ("reprice", "reprice")


def test_tables_worst_first(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "clients", "simulate", "--db", db, *PERIOD)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Every client at 150.00 EUR per user per month" in out
    names = ["Exit BV", "Scope BV", "Pays BV", "Band BV", "Keep BV", "Uncounted BV"]
    assert sorted(names, key=out.index) == names
    assert "not judged" in out and "At other prices" in out
    assert "171.43" in out  # Band's price needed, in cents: never rounded onto a price


def test_without_user_counts_the_cli_says_what_to_fill_in(tmp_path: Path) -> None:
    path = tmp_path / "stip.duckdb"
    batch = Batch()
    load(batch)
    batch.upserts["companies"] = [{**c, "user_count": None} for c in batch.upserts["companies"]]
    open_store(str(path)).apply(batch)
    done = stip(tmp_path, "clients", "simulate", "--db", str(path), *PERIOD)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "Nothing is judged: the store holds no value in companies.user_count." in out
    assert "[autotask] user_count_field" in out and "internal (loaded hourly) cost" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--price", "0"), "price per user 0 is out of range"),
        (("--price", "abc"), "Invalid value for '--price'"),
        (("--period", "2026-13"), "period '2026-13' is not valid"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, db: str, args: tuple[str, ...], message: str
) -> None:
    done = stip(tmp_path, "clients", "simulate", "--db", db, *args)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_price_setting_names_the_variable(tmp_path: Path, db: str) -> None:
    done = stip(tmp_path, "clients", "simulate", "--db", db, STIP_PRICE_PER_USER="-5")
    assert done.returncode == 1
    assert "STIP_PRICE_PER_USER" in done.stderr


def test_a_client_name_with_markup_prints_as_written(tmp_path: Path) -> None:
    """Names come from the PSA: "[/b]" once stopped the table with a Rich markup error."""
    path = tmp_path / "stip.duckdb"
    batch = Batch()
    load(batch)
    batch.add(
        "companies",
        [{"source_system": "autotask", "id": KEEP, "company_name": "Keep [/b][red]BV",
          "company_type": 1, "is_active": True, "user_count": 10}],
    )  # fmt: skip
    open_store(str(path)).apply(batch)
    for args in (
        ("clients", "simulate"),
        ("kpi", "values", "service_revenue_per_user", "--by", "company"),
    ):
        done = stip(tmp_path, *args, "--db", str(path), *PERIOD)
        assert done.returncode == 0, done.stderr
        assert "Keep [/b][red]BV" in done.stdout
