"""Contract KPIs on a real service desk: the UCI ServiceNow incident log through Stip's CLI.

The log (tests/data/itsm/uci_servicenow_incidents/, CC BY 4.0, Amaral, Fantinato & Peres
2018) is converted once per session into an Autotask export folder (`servicenow.py`, which
documents every mapping choice), loaded with the real `stip import autotask DIR` in a child
process, and read back with `stip kpi values ... --json` (typer's CliRunner on the same
`stip` app, so the catalogue is not re-imported for each of the ~20 calls; one call also
runs as a child process).

Expected values are computed here, with pandas, straight from the raw CSV, following
contract §4/§5 literally, and without Stip's code (no BusinessCalendar, no period parser):

- An incident's state is its last row in the file (the test checks that this row has the
  incident's highest `sys_mod_count`, the converter's rule).
- Times stay naive local wall-clock times, as the source writes them: the converter reads
  them as Europe/Amsterdam and Stip stores UTC, so comparing wall-clock times with local
  midnights and counting 08:00-17:00 on the wall clock is the contract's reading done the
  other way round. (The only time that moves is a nonexistent one, 2016-03-27 02:xx ->
  03:00, on a Sunday night: same day, no business hours.)
- Business hours: numpy's `busday_count` / `is_busday` (Mon-Fri) with the dates the
  `holidays` package gives for NL.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from . import servicenow

DATA = Path(__file__).parents[1] / "data" / "itsm" / "uci_servicenow_incidents"
ZIP = DATA / "incident_event_log.zip"
ZIP_SHA256 = "6294e29a311647306bfdfc85783f7df66517c197b9cd49aa5ee36ba9c525d1d6"
TZ = "Europe/Amsterdam"
AS_OF = "2017-03-01T09:00"  # after the last event of the log (2017-02-18)
INCIDENTS = 24_918  # UCI's published count

# Periods: a month; a week with a Dutch public holiday (King's Day, Wed 2016-04-27); the
# week of the spring DST change (Sun 2016-03-27), which also holds Good Friday (25 March);
# the week of the autumn DST change (Sun 2016-10-30), when the log is sparse.
PERIODS = ["2016-04", "2016-W17", "2016-W12", "2016-W43"]
KPIS = [
    "tickets_created",
    "tickets_completed",
    "open_backlog",
    "resolution_hours_mean",
    "sla_met_rate",
]
COUNTS = {"tickets_created", "tickets_completed", "open_backlog"}
REL = 1e-9

# About 50 CPU-seconds. Under xdist each worker that runs a test of this module builds its own
# export and store (~10 CPU-s): an `xdist_group` mark would not help, as xdist 3.8 cannot
# rename node ids under pytest 9, so `--dist loadgroup` does not group them.
pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- the export and the store


@pytest.fixture(scope="session")
def events() -> pd.DataFrame:
    digest = hashlib.sha256(ZIP.read_bytes()).hexdigest()
    assert digest == ZIP_SHA256, f"{ZIP} is not the documented file (see its README.md)"
    return pd.read_csv(ZIP, dtype=str, keep_default_na=False)  # every column as text


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}


@dataclass
class Loaded:
    home: Path
    db: Path
    export_counts: dict[str, int]
    import_stdout: str


@pytest.fixture(scope="session")
def loaded(events: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """The export written once per session and imported with the real CLI."""
    root = tmp_path_factory.mktemp("servicenow")
    export = root / "export"
    counts = servicenow.write_export(events, export)
    home, db = root / "stip-home", root / "stip-home" / "real.duckdb"
    env = _clean_env() | {"STIP_HOME": str(home), "STIP_TIMEZONE": TZ}
    done = subprocess.run(
        [sys.executable, "-m", "stip", "import", "autotask", str(export), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return Loaded(home, db, counts, done.stdout)


def _args(loaded: Loaded, kpi: str, period: str, as_of: str, by: str | None) -> list[str]:
    args = ["kpi", "values", kpi, "--period", period, "--as-of", as_of, "--json"]
    return [*args, *(["--by", by] if by else []), "--db", str(loaded.db)]


def kpi_values(
    loaded: Loaded, kpi: str, period: str, *, as_of: str = AS_OF, by: str | None = None
) -> dict[str, Any]:
    """`stip kpi values ... --json` through the CLI app, in this process."""
    from stip.cli import _register, app

    _register()  # what `stip`'s main() does before running the app
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("STIP_")}
    env |= {"STIP_HOME": str(loaded.home), "STIP_TIMEZONE": TZ}
    result = CliRunner().invoke(app, _args(loaded, kpi, period, as_of, by), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


# ---------------------------------------------------------------- the independent side


@dataclass
class Truth:
    """Per incident, from the raw CSV: naive local times and the attributes the KPIs use."""

    opened: pd.Series
    completed: pd.Series  # closed_at of closed incidents, else NaT
    resolved: pd.Series
    made_sla: pd.Series  # bool
    resource: pd.Series  # float resource number, NaN when unassigned


def _wall_clock(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.where(text != "?"), format="%d/%m/%Y %H:%M")


@pytest.fixture(scope="session")
def truth(events: pd.DataFrame) -> Truth:
    mods = events["sys_mod_count"].astype(int)
    last = events.drop_duplicates("number", keep="last").set_index("number")
    highest = mods.groupby(events["number"]).max()
    assert (last["sys_mod_count"].astype(int) == highest.reindex(last.index)).all()
    closed = last["incident_state"] == "Closed"
    assigned = last["assigned_to"].where(last["assigned_to"] != "?")
    return Truth(
        opened=_wall_clock(last["opened_at"]),
        completed=_wall_clock(last["closed_at"]).where(closed),
        resolved=_wall_clock(last["resolved_at"]),
        made_sla=last["made_sla"] == "true",
        resource=assigned.str.removeprefix("Resolver ").astype(float),
    )


NL_HOLIDAYS = np.array(
    sorted(holidays.country_holidays("NL", years=range(2016, 2018))), dtype="datetime64[D]"
)
EPOCH = np.datetime64("2016-01-01", "D")


def _cumulative_business_hours(t: pd.Series) -> np.ndarray:
    """Business hours from EPOCH to each local time t (Mon-Fri 08:00-17:00, NL holidays)."""
    day = t.dt.floor("D").to_numpy().astype("datetime64[D]")
    whole_days = np.busday_count(EPOCH, day, holidays=NL_HOLIDAYS)
    hour = (t - t.dt.floor("D")).dt.total_seconds().to_numpy() / 3600.0
    today = np.clip(hour - 8.0, 0.0, 9.0) * np.is_busday(day, holidays=NL_HOLIDAYS)
    return whole_days * 9.0 + today


def business_hours(a: pd.Series, b: pd.Series) -> pd.Series:
    """Business hours in [a, b); 0 when b <= a (contract §3). Both must be set."""
    diff = _cumulative_business_hours(b) - _cumulative_business_hours(a)
    return pd.Series(np.where(b.to_numpy() > a.to_numpy(), diff, 0.0), index=a.index)


def bounds(spec: str) -> tuple[datetime, datetime]:
    """Local midnights [start, end) of a month (`2016-04`) or ISO week (`2016-W17`)."""
    if "-W" in spec:
        year, week = spec.split("-W")
        start = date.fromisocalendar(int(year), int(week), 1)
        end = start + timedelta(days=7)
    else:
        year, month = map(int, spec.split("-"))
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())


def _in(times: pd.Series, start: datetime, end: datetime) -> pd.Series:
    return (times >= start) & (times < end)


@dataclass
class Value:
    value: float | int | None
    n: int


def _mean(values: pd.Series) -> Value:
    return Value(float(values.mean()) if len(values) else None, len(values))


def expected(truth: Truth, kpi: str, start: datetime, end: datetime) -> pd.DataFrame:
    """Contract §4 for one period, per incident: a `value` frame the KPI aggregates."""
    t = truth
    if kpi == "tickets_created":
        mask = _in(t.opened, start, end)
    elif kpi == "tickets_completed":
        mask = _in(t.completed, start, end)
    elif kpi == "open_backlog":
        mask = (t.opened < end) & (t.completed.isna() | (t.completed >= end))
    elif kpi == "resolution_hours_mean":
        mask = _in(t.completed, start, end) & t.resolved.notna()
        hours = business_hours(t.opened[mask], t.resolved[mask])
        return pd.DataFrame({"value": hours, "resource": t.resource[mask]})
    elif kpi == "sla_met_rate":
        # every ticket has serviceLevelAgreementID 1 and a known made_sla
        mask = _in(t.completed, start, end)
        met = t.made_sla[mask].astype(float) * 100.0
        return pd.DataFrame({"value": met, "resource": t.resource[mask]})
    else:
        raise AssertionError(kpi)
    return pd.DataFrame({"value": 1, "resource": t.resource[mask]})


def aggregate(kpi: str, frame: pd.DataFrame) -> Value:
    if kpi in COUNTS:
        return Value(len(frame), len(frame))
    return _mean(frame["value"])


def check(row: dict[str, Any], want: Value, kpi: str) -> None:
    assert row["n"] == want.n
    if kpi in COUNTS:
        assert row["value"] == want.value and row["n"] == row["value"]
    elif want.value is None:
        assert row["value"] is None
    else:
        assert row["value"] == pytest.approx(want.value, rel=REL, abs=0)


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=ZoneInfo(TZ)).isoformat()


# ---------------------------------------------------------------- the tests


def test_the_export_holds_every_incident(loaded: Loaded, truth: Truth) -> None:
    assert len(truth.opened) == INCIDENTS
    assert servicenow.DROPPED == {}
    assert loaded.export_counts["Tickets"] == INCIDENTS
    assert truth.completed.notna().all()  # every final row is Closed
    for entity, count in loaded.export_counts.items():
        assert f"{entity}: {count}\n" in loaded.import_stdout
    assert "more than once" not in loaded.import_stdout
    assert loaded.export_counts["Resources"] == truth.resource.nunique()


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("kpi", KPIS)
def test_contract_kpi_matches_the_raw_log(
    loaded: Loaded, truth: Truth, kpi: str, period: str
) -> None:
    start, end = bounds(period)
    got = kpi_values(loaded, kpi, period)
    assert got["kpi"] == kpi
    assert got["period"] == {"start": _iso(start), "end": _iso(end)}
    assert [row["by"] for row in got["rows"]] == [{}]
    want = aggregate(kpi, expected(truth, kpi, start, end))
    assert want.n > 0  # every chosen period has data for every KPI
    check(got["rows"][0], want, kpi)


@pytest.mark.parametrize(
    ("kpi", "period", "child_process"),
    [("resolution_hours_mean", "2016-03", True), ("tickets_completed", "2016-W12", False)],
)
def test_by_resource_matches_the_raw_log(
    loaded: Loaded, truth: Truth, kpi: str, period: str, child_process: bool
) -> None:
    start, end = bounds(period)
    if child_process:  # the installed command as a user runs it
        env = _clean_env() | {"STIP_HOME": str(loaded.home), "STIP_TIMEZONE": TZ}
        done = subprocess.run(
            [sys.executable, "-m", "stip", *_args(loaded, kpi, period, AS_OF, "resource")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        got = json.loads(done.stdout)
    else:
        got = kpi_values(loaded, kpi, period, by="resource")
    frame = expected(truth, kpi, start, end)
    groups = frame.groupby(frame["resource"], dropna=False)
    want = {
        (None if np.isnan(r) else int(r)): aggregate(kpi, g) for r, g in groups
    }  # groups with no records are omitted (§5), so exactly these groups
    # unassigned tickets (all closed in March 2016) form the null row (§5 "Null dimension")
    assert None in want
    rows = {row["by"]["resource_id"]: row for row in got["rows"]}
    assert len(rows) == len(got["rows"])
    assert set(rows) == set(want)
    for resource, row in rows.items():
        if resource is not None:
            assert row["by"]["resource"] == f"Resolver {resource}"
        check(row, want[resource], kpi)


def test_a_relative_period_and_an_as_of_inside_it(loaded: Loaded, truth: Truth) -> None:
    """`last-week` at Friday 2016-04-29 10:00 is 2016-W16; counts do not depend on the
    as-of (contract §4 names none for them)."""
    start, end = bounds("2016-W16")
    for kpi in ("tickets_created", "open_backlog"):
        got = kpi_values(loaded, kpi, "last-week", as_of="2016-04-29T10:00")
        assert got["period"] == {"start": _iso(start), "end": _iso(end)}
        check(got["rows"][0], aggregate(kpi, expected(truth, kpi, start, end)), kpi)
