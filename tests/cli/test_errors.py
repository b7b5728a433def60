from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
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


def _one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in error[0], (needle, error[0])


def test_stip_toml_that_is_not_utf8_is_a_user_error(stip_home: Path) -> None:
    stip_home.mkdir(parents=True)
    (stip_home / "stip.toml").write_bytes(b"\xff\xfe[autotask]\n")
    result = _stip("kpi", "values", "tickets_created", "--period", "2026-10", home=stip_home)
    _one_clear_line(result, "stip.toml", "not UTF-8", "save the file as UTF-8")


def test_a_db_that_is_no_duckdb_store_is_a_user_error(stip_home: Path, tmp_path: Path) -> None:
    other = tmp_path / "export.json"
    other.write_text('{"a": 1}\n')
    result = _stip("kpi", "values", "tickets_created", "--db", str(other), home=stip_home)
    _one_clear_line(result, str(other), "--db/STIP_DB")


def test_an_unreachable_postgres_store_is_a_user_error_without_the_password(
    stip_home: Path,
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgres://stip:s3cret@127.0.0.1:{port}/stip"
    result = _stip("kpi", "values", "tickets_created", "--db", url, home=stip_home)
    _one_clear_line(result, f"postgres://stip:***@127.0.0.1:{port}/stip", "cannot be reached")
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "url", "shown"),
    [
        ("--db", "mysql://pwuser:S3cretPW-zz9@127.0.0.1:3306/x", "mysql://pwuser:***@127.0.0.1"),
        ("--db", "postgres://pwuser:pa@ss-Wx9@127.0.0.1:{port}/x", "pwuser:***@127.0.0.1"),
        ("--db", "postgres://pwuser:S3cret PW@127.0.0.1:{port}/x", "must be %-encoded"),
        ("--db", "postgres://127.0.0.1:{port}/x?password=QueryPw-55&user=u", "password=***"),
        ("STIP_APP_DB", "postgres://pwuser:S3cret-app@127.0.0.1:{port}/x", "pwuser:***@127.0.0.1"),
        ("STIP_APP_DB", "mysql://pwuser:S3cret-my@127.0.0.1:{port}/x", "postgres:// or sqlite:///"),
    ],
)
def test_no_error_shows_a_database_password(
    stip_home: Path, variable: str, url: str, shown: str
) -> None:
    """An unsupported scheme, a password with an @ or a space, or one in the query string
    was printed (and logged) in clear; an unreachable STIP_APP_DB was an internal error."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = url.format(port=port)
    args = ["kpi", "values", "tickets_created", "--period", "2026-10"]
    if variable == "--db":
        result = _stip(*args, "--db", url, home=stip_home)
    else:
        args = ["user", "list"]
        result = subprocess.run(
            [sys.executable, "-m", "stip", *args],
            capture_output=True,
            text=True,
            env={"STIP_HOME": str(stip_home), "PATH": "/usr/bin:/bin", variable: url},
            timeout=120,
        )
    _one_clear_line(result, shown)
    log = (stip_home / "logs" / "stip.log").read_text()
    for secret in ("S3cret", "Wx9", "QueryPw"):
        assert secret not in result.stderr and secret not in log


@pytest.mark.parametrize("option", ["--period", "--as-of"])
def test_an_empty_period_or_as_of_is_a_user_error(stip_home: Path, option: str) -> None:
    result = _stip("kpi", "values", "tickets_created", option, "", home=stip_home)
    _one_clear_line(result, option, "is empty")


def test_serve_on_a_port_in_use_is_a_user_error(stip_home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = _stip("serve", "--port", port, home=stip_home)
    _one_clear_line(result, f"--port {port}", "Address already in use")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--host", "nosuch.invalid"], "--host nosuch.invalid"),
        (["--port", "70000"], "--port"),
        (["--port", "-5"], "--port"),
    ],
)
def test_serve_with_a_bad_host_or_port_is_a_user_error(
    stip_home: Path, args: list[str], needle: str
) -> None:
    _one_clear_line(_stip("serve", *args, home=stip_home), needle)


def test_a_bad_environment_value_names_the_variable(stip_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stip", "kpi", "values", "tickets_created"],
        capture_output=True,
        text=True,
        env={"STIP_HOME": str(stip_home), "PATH": "/usr/bin:/bin", "STIP_TIMEZONE": "Mars/Base"},
        timeout=120,
    )
    _one_clear_line(result, "environment variable STIP_TIMEZONE", "Mars/Base")


def test_a_server_that_fails_to_start_anyway_is_a_user_error(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address check passed, but the server exited on its own while starting (uvicorn
    exits 3, e.g. when another process took the port in between): exit 1, not 3."""
    from stip.cli.serve import serve
    from stip.errors import UserError
    from stip.web import server

    def refuses(*args: object, **kwargs: object) -> None:
        raise SystemExit(3)

    monkeypatch.setattr(server, "serve", refuses)
    with pytest.raises(UserError, match=r"could not start on 127\.0\.0\.1:\d+ \(exit 3\)"):
        serve(host="127.0.0.1", port=_free_port(), db=None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("toml", "env", "words"),
    [
        ("[business_hours]\nweekdays = [9]\n", {}, "business_hours.weekdays"),
        ("[business_hours]\nweekdays = []\n", {}, "at least 1 item"),
        ("", {"STIP_CSAT_SCALE_MAX": "0"}, "STIP_CSAT_SCALE_MAX"),
    ],
)
def test_settings_that_would_break_a_computation_are_user_errors(
    stip_home: Path, toml: str, env: dict[str, str], words: str
) -> None:
    """A weekday 9 crashed the business calendar (exit 2); a scale maximum of 0 printed
    `"value": Infinity`, which is no JSON."""
    stip_home.mkdir(parents=True)
    (stip_home / "stip.toml").write_text(toml)
    result = subprocess.run(
        [sys.executable, "-m", "stip", "kpi", "values", "csat_score", "--period", "2026-10"],
        capture_output=True,
        text=True,
        env={"STIP_HOME": str(stip_home), "PATH": "/usr/bin:/bin", **env},
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert words in line


def test_a_negative_demo_seed_is_a_user_error(stip_home: Path) -> None:
    result = _stip("demo", "--no-serve", "--seed", "-1", home=stip_home)
    assert result.returncode == 1
    assert "--seed" in result.stderr and "Traceback" not in result.stderr


def test_a_home_that_is_a_file_is_a_user_error(tmp_path: Path) -> None:
    """Was exit 2 with a 49-line traceback on stderr, pointing to a log that cannot exist."""
    home = tmp_path / "home"
    home.write_text("not a folder")
    result = _stip("kpi", "values", "tickets_created", "--period", "2026-10", home=home)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write in STIP_HOME {home} (FileExistsError")
    assert "point STIP_HOME at a folder Stip may write to" in line


def test_business_hours_from_the_environment(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README promised environment variables for single-value settings; these were
    silently ignored."""
    from stip.settings import load_settings

    monkeypatch.setenv("STIP_BUSINESS_HOURS_START", "07:30")
    monkeypatch.setenv("STIP_BUSINESS_HOURS_END", "18:00")
    monkeypatch.setenv("STIP_BUSINESS_HOURS_HOLIDAY_COUNTRY", "BE")
    hours = load_settings(stip_home).business_hours
    assert (hours.start, hours.end, hours.holiday_country) == ("07:30", "18:00", "BE")


@pytest.mark.parametrize(
    "args",
    [
        ["kpi", "values", "tickets_created", "--period", "2026-10"],
        ["kpi", "actions", "overdue_tickets"],
        ["actions", "list"],
    ],
)
def test_a_mistyped_store_path_is_an_error_not_an_empty_store(
    stip_home: Path, tmp_path: Path, args: list[str]
) -> None:
    """A read command created the mistyped file and showed every figure as 0."""
    typo = tmp_path / "stipp.duckdb"
    result = _stip(*args, "--db", str(typo), home=stip_home)
    _one_clear_line(result, f"store {typo} does not exist", "--db/STIP_DB")
    assert not typo.exists()


def _run_main(
    monkeypatch: pytest.MonkeyPatch, command: str, fail: BaseException
) -> int | str | None:
    @cli.app.command(command)
    def failing() -> None:
        raise fail

    monkeypatch.setattr(sys, "argv", ["stip", command])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    return exit_info.value.code


def test_ctrl_c_in_a_command_exits_130_with_one_line(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Typer hands Ctrl-C back as 130; it used to end as exit 0, so `stip import ... && next`
    went on as if the import had worked."""
    assert _run_main(monkeypatch, "interrupt-for-test", KeyboardInterrupt()) == 130
    assert capsys.readouterr().err == "error: interrupted; run the command again to finish it\n"


@pytest.mark.parametrize(
    ("name", "fail", "needle"),
    [
        (
            "disk-full-os",
            RuntimeError("commit failed"),
            "no space left on the disk",
        ),
        (
            "disk-full-duckdb",
            Exception('TransactionException: Failed to commit: "No space left on device"'),
            "no space left on the disk",
        ),
    ],
)
def test_a_full_disk_is_a_user_error(
    stip_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    fail: Exception,
    needle: str,
) -> None:
    if name == "disk-full-os":
        fail.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert _run_main(monkeypatch, f"{name}-for-test", fail) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {needle}") and len(err.splitlines()) == 1
    assert "free some space and run the command again" in err


def test_a_lost_postgres_connection_is_a_user_error(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    lost = psycopg.OperationalError("consuming input failed: server closed the connection")
    assert _run_main(monkeypatch, "pg-lost-for-test", lost) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: the connection to the store's PostgreSQL server was lost (consuming input "
        "failed: server closed the connection); run the command again once the server is "
        "reachable (the unfinished write was undone)\n"
    )


# Ctrl-C's default, set in the child itself: a test runner's worker may ignore SIGINT, and an
# ignored signal stays ignored across exec.
AS_IN_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['stip', *sys.argv[1:]]; runpy.run_module('stip', run_name='__main__')"
)


def test_ctrl_c_during_a_real_demo_build_exits_130(stip_home: Path, tmp_path: Path) -> None:
    """Ctrl-C as a terminal sends it (SIGINT to the process group) during `stip demo`."""
    process = subprocess.Popen(
        [sys.executable, "-c", AS_IN_A_TERMINAL, "demo", "--no-serve", "--scale", "medium"],
        env={"STIP_HOME": str(stip_home), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # once the build writes its store (Python and Stip loaded; the build takes far longer)
    deadline = time.monotonic() + 120
    while not (stip_home / "stip.duckdb").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    assert process.poll() is None, "the demo build ended before Ctrl-C"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "error: interrupted" in err and "Traceback" not in err
