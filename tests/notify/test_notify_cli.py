"""`stip actions notify` as cron runs it: one line and exit 1 when deliveries fail, a warning
for people without an e-mail address, and a bad Teams URL refused when the settings load."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stip.app import Stip
from stip.errors import ConfigError
from stip.settings import load_settings


def _stip(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_failed_deliveries_are_one_line_and_exit_1_people_without_address_a_warning(
    world: Stip, smtp_server
) -> None:
    env = {
        "STIP_SMTP_HOST": "127.0.0.1",
        "STIP_SMTP_PORT": str(smtp_server.port),
        "STIP_SMTP_SENDER": "stip@msp.example",
    }
    smtp_server.stop()
    down = _stip("actions", "notify", "--as-of", "2026-04-28T10:30", env=env)
    assert down.returncode == 1
    assert down.stdout.splitlines()[-1] == (
        "0 sent, 4 to retry, 0 failed, 0 deferred (rate limit), 0 cancelled (items closed "
        "meanwhile)"
    )
    assert down.stderr.splitlines() == [
        'warning: 1 item for fien has no e-mail address; add [recipients."fien"] with an '
        "email to notify.toml",
        f"error: 4 of 4 deliveries failed (email to 127.0.0.1:{smtp_server.port}: "
        "ConnectionRefusedError: [Errno 111] Connection refused); 4 will be retried on the "
        "next run",
    ]

    (world.settings.home / "notify.toml").write_text(
        '[recipients.fien]\nemail = "finance@msp.example"\n'
    )
    smtp_server.start()
    up = _stip("actions", "notify", "--as-of", "2026-04-28T10:35", env=env)
    assert (up.returncode, up.stderr) == (0, "")
    assert up.stdout.splitlines()[-1].startswith("5 sent, 0 to retry, 0 failed")
    assert ["finance@msp.example"] in [rcpt for rcpt, _ in smtp_server.handler.messages]


@pytest.mark.parametrize(
    "url", ["hooks.example.com/workflows/x?sig=S3cr3tSig", "ftp://hooks.example.com/S3cr3tSig"]
)
def test_a_teams_url_that_is_no_http_url_is_a_settings_error_without_the_secret(
    stip_home: object, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("STIP_TEAMS_WEBHOOK_URL", url)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("environment variable STIP_TEAMS_WEBHOOK_URL")
    assert "not an http(s) URL" in message and "S3cr3tSig" not in message
    done = _stip("actions", "notify", env={})
    assert done.returncode == 1 and "S3cr3tSig" not in done.stderr
    assert done.stderr.splitlines() == [f"error: {message}"]


def test_an_https_teams_url_is_accepted(stip_home: object, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers?sig=S3cr3tSig"
    monkeypatch.setenv("STIP_TEAMS_WEBHOOK_URL", url)
    settings = load_settings()
    assert settings.teams_webhook_url is not None
    assert settings.teams_webhook_url.get_secret_value() == url
