from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stip.accounts.secret import secret_key
from stip.accounts.shares import resolve_share
from stip.accounts.tokens import user_for_token
from stip.accounts.users import engine_for, verify_password
from stip.settings import load_settings


def _stip(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={"STIP_HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_user_add_with_password_stdin_then_list_and_disable(stip_home: Path) -> None:
    added = _stip(
        "user",
        "add",
        "jan",
        "--role",
        "engineer",
        "--resource-id",
        "29682885",
        "--password-stdin",
        home=stip_home,
        stdin="s3cret-pass\n",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == ""
    engine = engine_for(load_settings(stip_home))
    assert verify_password(engine, "jan", "s3cret-pass") is not None

    listed = _stip("user", "list", home=stip_home)
    assert listed.returncode == 0
    assert listed.stdout == "jan\tengineer\tactive\t29682885\n"

    disabled = _stip("user", "disable", "jan", home=stip_home)
    assert disabled.returncode == 0
    assert _stip("user", "list", home=stip_home).stdout == "jan\tengineer\tdisabled\t29682885\n"
    assert verify_password(engine, "jan", "s3cret-pass") is None
    refused = _stip("token", "create", "--user", "jan", home=stip_home)
    assert refused.returncode == 1
    assert "user 'jan' is disabled; enable it first (`stip user enable jan`)" in refused.stderr

    enabled = _stip("user", "enable", "jan", home=stip_home)
    assert enabled.returncode == 0
    assert _stip("user", "list", home=stip_home).stdout == "jan\tengineer\tactive\t29682885\n"
    assert verify_password(engine, "jan", "s3cret-pass") is not None
    assert _stip("token", "create", "--user", "jan", home=stip_home).returncode == 0


def test_user_add_without_stdin_generates_and_prints_the_password(stip_home: Path) -> None:
    added = _stip("user", "add", "boss", "--role", "owner", home=stip_home, stdin="")
    assert added.returncode == 0, added.stderr
    password = added.stdout.strip()
    assert len(added.stdout.splitlines()) == 1 and len(password) >= 12
    assert verify_password(engine_for(load_settings(stip_home)), "boss", password) is not None


def test_user_add_errors_exit_1_with_one_line(stip_home: Path) -> None:
    bad_role = _stip(
        "user",
        "add",
        "x",
        "--role",
        "king",
        "--password-stdin",
        home=stip_home,
        stdin="longenough\n",
    )
    assert bad_role.returncode == 1
    assert bad_role.stderr.strip() == (
        "error: unknown role 'king': use one of engineer, teamlead, service_manager, "
        "account_manager, finance, owner, admin"
    )
    _stip(
        "user",
        "add",
        "x",
        "--role",
        "owner",
        "--password-stdin",
        home=stip_home,
        stdin="longenough\n",
    )
    dup = _stip(
        "user",
        "add",
        "x",
        "--role",
        "owner",
        "--password-stdin",
        home=stip_home,
        stdin="longenough\n",
    )
    assert dup.returncode == 1 and "already exists" in dup.stderr
    assert _stip("user", "disable", "nobody", home=stip_home).returncode == 1
    assert _stip("user", "enable", "nobody", home=stip_home).returncode == 1


def test_token_create_prints_only_the_token(stip_home: Path) -> None:
    _stip(
        "user",
        "add",
        "api",
        "--role",
        "finance",
        "--password-stdin",
        home=stip_home,
        stdin="longenough\n",
    )
    created = _stip("token", "create", "--user", "api", home=stip_home)
    assert created.returncode == 0, created.stderr
    token = created.stdout.rstrip("\n")
    assert "\n" not in token and token.startswith("stip_")
    user = user_for_token(engine_for(load_settings(stip_home)), token)
    assert user is not None and user.username == "api"
    missing = _stip("token", "create", "--user", "ghost", home=stip_home)
    assert missing.returncode == 1 and missing.stdout == ""


def test_share_create_prints_only_the_path_and_revoke_stops_it(stip_home: Path) -> None:
    created = _stip("share", "create", "teamlead", home=stip_home)
    assert created.returncode == 0, created.stderr
    path = created.stdout.rstrip("\n")
    assert path.startswith("/s/") and "\n" not in path
    settings = load_settings(stip_home)
    engine = engine_for(settings)
    link = resolve_share(engine, secret_key(settings), path[3:])
    assert link is not None and link.dashboard_id == "teamlead"

    listed = _stip("share", "list", home=stip_home).stdout.split("\t")
    assert listed[0] == link.id and listed[1] == "teamlead" and listed[2] == "active"
    assert _stip("share", "revoke", link.id, home=stip_home).returncode == 0
    assert resolve_share(engine, secret_key(settings), path[3:]) is None

    unknown = _stip("share", "create", "teamleed", home=stip_home)
    assert unknown.returncode == 1
    assert "unknown dashboard 'teamleed'. Did you mean 'teamlead'?" in unknown.stderr


def test_share_create_for_one_agreement_of_the_deliverables_file(stip_home: Path) -> None:
    stip_home.mkdir(parents=True, exist_ok=True)
    (stip_home / "deliverables.yaml").write_text(
        "kind: Deliverables\nversion: 1\nagreements:\n"
        "  acme: {title: {en: Acme, nl: Acme}, client: 1, deliverables: [{kpi: sla_met_rate}]}\n",
        encoding="utf-8",
    )
    created = _stip("share", "create", "agreement:acme", home=stip_home)
    assert created.returncode == 0, created.stderr
    settings = load_settings(stip_home)
    link = resolve_share(engine_for(settings), secret_key(settings), created.stdout.strip()[3:])
    assert link is not None and link.dashboard_id == "agreement:acme"
    unknown = _stip("share", "create", "agreement:acm", home=stip_home)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "no agreement 'acm' in " in unknown.stderr and "Did you mean 'acme'?" in unknown.stderr
