from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stip import cli


def _stip(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args],
        capture_output=True,
        text=True,
        env={"STIP_HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_unknown_command_is_a_user_error(stip_home: Path) -> None:
    result = _stip("no-such-command", home=stip_home)
    assert result.returncode == 1
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_toml_names_the_file_and_exits_1(stip_home: Path) -> None:
    stip_home.mkdir(parents=True)
    (stip_home / "stip.toml").write_text("[autotask\nusername = 'x'\n")
    result = _stip("kpi", "values", "tickets_created", "--period", "2026-10", home=stip_home)
    assert result.returncode == 1
    assert "stip.toml" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_time_zone_is_reported_with_the_setting(stip_home: Path) -> None:
    stip_home.mkdir(parents=True)
    (stip_home / "stip.toml").write_text('timezone = "Europe/Amsterdamm"\n')
    result = _stip("kpi", "values", "tickets_created", "--period", "2026-10", home=stip_home)
    assert result.returncode == 1
    assert "timezone" in result.stderr and "Europe/Amsterdamm" in result.stderr


def test_store_that_is_not_duckdb_is_a_user_error(stip_home: Path) -> None:
    stip_home.mkdir(parents=True)
    bogus = stip_home / "stip.duckdb"
    bogus.write_text("this is not a database")
    result = _stip("kpi", "values", "tickets_created", "--period", "2026-10", home=stip_home)
    assert result.returncode == 1
    assert str(bogus) in result.stderr
    assert "Traceback" not in result.stderr


def test_internal_error_exits_2_with_log_path(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @cli.app.command("explode-for-test")
    def explode() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sys, "argv", ["stip", "explode-for-test"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    log = stip_home / "logs" / "stip.log"
    assert str(log.resolve()) in err
    assert "RuntimeError: boom" in log.read_text()
    assert "Traceback" not in err
