"""The action pages on a real `stip serve`: Chromium marks an item done; CSRF and roles hold."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from goals.goals_fixture import GOALS
from stip.accounts import roles
from stip.accounts.tokens import create_token
from stip.accounts.users import add_user, engine_for
from stip.actions.closed_loop import closed_loop_values
from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.app import Stip
from stip.notify.cycle import outbox_for
from stip.notify.outbox import Message

from .conftest import world_module as W

PASSWORDS = {"eva": "eva-password-1", "lars": "lars-password-1", "root": "root-password-1"}
ROLE_PASSWORD = "role-password-1"
MEETING_ROLES = {"teamlead", "service_manager", "owner", "admin"}
MONEY = {"loss_making_client", "loss_making_client.escalated"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Stip]]:
    home = tmp_path_factory.mktemp("actions-web") / "home"
    saved = {k: v for k, v in os.environ.items() if k.startswith("STIP_")}
    for name in saved:
        del os.environ[name]
    os.environ["STIP_HOME"] = str(home)
    try:
        stip = W.build(Stip.load(str(home)))
        accounts = engine_for(stip.settings)
        add_user(accounts, "eva", "engineer", PASSWORDS["eva"], resource_id=W.EVA)
        add_user(accounts, "lars", "teamlead", PASSWORDS["lars"], resource_id=W.LARS)
        add_user(accounts, "root", "admin", PASSWORDS["root"])
        for role in roles.ROLES:
            add_user(accounts, f"r_{role}", role, ROLE_PASSWORD)
        evaluate(stip, W.local(stip, "2026-04-28T10:30"))
        failed = Message("test:1", "email", "digest", "x@msp.example", "X", "en", "Broken one")
        outbox = outbox_for(stip)
        outbox.enqueue(failed, dt.datetime(2026, 4, 28, 9, 0, tzinfo=dt.UTC))
        outbox.flush(dt.datetime(2026, 4, 28, 9, 0, tzinfo=dt.UTC), {}, 5, 1)
    finally:
        os.environ.pop("STIP_HOME")
        os.environ.update(saved)
    port = _free_port()
    log = (home / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "stip", "serve", "--port", str(port)],
        env={
            "STIP_HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            # the tests evaluate the rules themselves, at fixed as-of times
            "STIP_NOTIFY_INTERVAL_MINUTES": "0",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((home / "serve.log").read_text()) from None
            time.sleep(0.3)
    yield base, stip
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _client(base: str, user: str, password: str | None = None) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    done = client.post(
        "/login",
        data={
            "username": user,
            "password": password or PASSWORDS[user],
            "csrf_token": token.group(1),
            "next": "/actions/me",
        },
    )
    assert done.status_code == 303, done.text
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/actions/me").text)
    assert fresh
    return client, fresh.group(1)


@pytest.mark.playwright
def test_engineer_marks_an_action_done_and_the_closed_loop_moves(
    site: tuple[str, Stip], browser: Any
) -> None:
    base, stip = site
    before = closed_loop_values(stip, "today", dt.datetime.now(dt.UTC), resource_ids=[W.EVA])
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/login?next=/actions/me")
        page.fill("input[name=username]", "eva")
        page.fill("input[name=password]", PASSWORDS["eva"])
        page.click("form[action='/login'] button[type=submit]")
        page.goto(base + "/actions/me")
        assert page.locator("h1").inner_text() in ("My actions today", "Mijn acties vandaag")
        items = page.locator("article.action-item")
        assert items.count() == 2
        callback = page.locator("article.action-item", has_text="Piet Jansen")
        assert page.locator("#loop-action_items_open .loop-value").inner_text() == "2"
        callback.locator("button.action-done").click()
        page.wait_for_selector("article.action-item[data-status='done']")
        # the closed-loop panel is swapped in by the same htmx response, without a reload
        done_tile = page.locator("#loop-action_items_done .loop-value")
        done_tile.filter(has_text="1").wait_for(timeout=10_000)
        assert page.locator("#loop-action_items_open .loop-value").inner_text() == "1"
        page.reload()
        assert page.locator("article.action-item").count() == 1
        assert page.locator("#loop-action_items_open .loop-value").inner_text() == "1"
        assert page.locator("#loop-action_items_done .loop-value").inner_text() == "1"
        assert errors == []
    finally:
        context.close()
    after = closed_loop_values(stip, "today", dt.datetime.now(dt.UTC), resource_ids=[W.EVA])
    assert (before["action_items_done"], after["action_items_done"]) == (0, 1)
    assert (before["action_items_open"], after["action_items_open"]) == (2, 1)
    done = [i for i in item_store(stip.settings).all_items() if i.status == "done"]
    assert [(i.rule, i.person_id) for i in done] == [("csat_low_callback", W.EVA)]


def test_posts_need_csrf_and_engineers_act_only_on_their_own(site: tuple[str, Stip]) -> None:
    base, stip = site
    client, token = _client(base, "eva")
    items = item_store(stip.settings).all_items()
    eva_item = next(i for i in items if i.person_id == W.EVA and i.status == "open")
    bram_item = next(i for i in items if i.person_id == W.BRAM)
    refused = client.post(f"/actions/{eva_item.id}/acknowledge", data={"back": "/actions/me"})
    assert refused.status_code == 403
    foreign = client.post(f"/actions/{bram_item.id}/done", data={"csrf_token": token})
    assert foreign.status_code == 403
    no_reason = client.post(
        f"/actions/{eva_item.id}/dismiss", data={"csrf_token": token, "reason": "  "}
    )
    assert no_reason.status_code == 400
    ok = client.post(
        f"/actions/{eva_item.id}/acknowledge",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200 and f'id="item-{eva_item.id}"' in ok.text
    assert item_store(stip.settings).get(eva_item.id).acknowledged_at is not None
    assert client.get("/admin/deliveries").status_code == 403
    assert client.get("/actions/team").status_code == 403
    assert client.get("/meeting/10").status_code == 403


def test_team_lead_pages_and_admin_deliveries(site: tuple[str, Stip]) -> None:
    base, stip = site
    lead, _token = _client(base, "lars")
    team = lead.get("/actions/team")
    assert team.status_code == 200
    assert "Bram Bakker" in team.text and "Eva de Vries" in team.text
    assert "Mail &lt;b&gt;bounce&lt;/b&gt;" in team.text and "<b>bounce" not in team.text
    meeting = lead.get("/meeting/10")
    assert meeting.status_code == 200 and "Servicedesk" in meeting.text
    april = lead.get("/meeting/10", params={"as_of": "2026-04-28T11:00", "lang": "nl"})
    assert "Teamoverleg Servicedesk, week van 2026-04-21" in april.text
    assert "Bel Piet Jansen (Bakkerij Jansen) terug" in april.text
    assert "agenda.pdf?as_of=2026-04-28T11%3A00" in april.text
    assert lead.get("/meeting/10", params={"as_of": "yesterday-ish"}).status_code == 400
    pdf = lead.get("/meeting/10/agenda.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "clarity" not in meeting.text  # no goals file: nothing to open with
    goals = stip.settings.home / "goals.yaml"
    goals.write_text(GOALS, encoding="utf-8")
    try:
        opened = lead.get("/meeting/10", params={"lang": "nl"}).text
        assert "Waar we voor staan" in opened and "Uw probleem is ons &lt;probleem&gt;" in opened
        assert "<li>Bel elke lage beoordeling vandaag terug</li>" in opened
        assert lead.get("/meeting/10/agenda.pdf").content.startswith(b"%PDF")
    finally:
        goals.unlink()
    admin, token = _client(base, "root")
    page = admin.get("/admin/deliveries?status=failed")
    assert page.status_code == 200
    # messages no longer needed when their turn came (their items closed) can be listed too
    assert admin.get("/admin/deliveries?status=cancelled").status_code == 200
    assert "Broken one" in page.text and "channel &#39;email&#39; is not configured" in page.text
    row = re.search(r'action="/admin/deliveries/(\d+)/retry"', page.text)
    assert row
    retried = admin.post(f"/admin/deliveries/{row.group(1)}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    assert "Broken one" not in admin.get("/admin/deliveries?status=failed").text


def test_done_on_the_team_page_updates_its_follow_up_figures(site: tuple[str, Stip]) -> None:
    """The swapped item showed "done" while the team's figures kept the old counts."""
    base, stip = site
    lead, token = _client(base, "lars")
    before = _loop_value(lead.get("/actions/team?team=10").text, "action_items_done")
    bram = next(
        i
        for i in item_store(stip.settings).all_items()
        if i.person_id == W.BRAM and i.status == "open"
    )
    answer = lead.post(
        f"/actions/{bram.id}/done",
        data={"csrf_token": token, "back": "/actions/team?team=10"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and 'hx-swap-oob="true"' in answer.text
    assert _loop_value(answer.text, "action_items_done") == str(int(before) + 1)


def _loop_value(page: str, kpi: str) -> str:
    found = re.search(rf'id="loop-{kpi}".*?class="loop-value">([^<]*)<', page, re.DOTALL)
    assert found, f"no closed-loop figure {kpi}"
    return found.group(1).strip()


def test_a_live_dashboard_counts_the_action_items_open_now(site: tuple[str, Stip]) -> None:
    """The items are raised after the data's time (the last sync): counted at that time, the
    live team-lead dashboard said "Open action items 0" while `stip actions list` had 61."""
    base, stip = site
    client, _token = _client(base, "r_service_manager", ROLE_PASSWORD)
    page = client.get("/d/service_manager", params={"lang": "en"}).text
    open_now = [i for i in item_store(stip.settings).items(dt.datetime.now(dt.UTC))]
    assert len(open_now) >= 2
    assert _loop_value(page, "action_items_open") == str(len(open_now))
    pinned = client.get("/d/service_manager", params={"as_of": "2026-04-28T10:00"}).text
    assert _loop_value(pinned, "action_items_open") == "0"  # before the evaluation raised them


ROUTES = {
    "GET /actions",
    "GET /actions/me",
    "GET /actions/team",
    "POST /actions/{item_id}/{action}",
    "GET /meeting/{team_id}",
    "GET /meeting/{team_id}/agenda.pdf",
    "GET /admin/deliveries",
    "POST /admin/deliveries/{delivery_id}/retry",
    "GET /api/v1/actions",
}


def test_every_action_route_for_every_role(site: tuple[str, Stip]) -> None:
    from stip.web.routes.actions import router

    declared = {f"{m} {r.path}" for r in router.routes for m in r.methods - {"HEAD"}}
    assert declared == ROUTES
    base, stip = site
    items = item_store(stip.settings).all_items()
    anna_item = next(i for i in items if i.person_id == W.ANNA)
    money_item = next(i for i in items if i.rule in MONEY)
    failures = []
    for role in roles.ROLES:
        client, token = _client(base, f"r_{role}", ROLE_PASSWORD)
        cases = [
            ("GET", "/actions", True),
            ("GET", "/actions/me", True),
            ("GET", "/actions/team", roles.can_see_others(role)),
            # acting on another person's item is for those who lead people, not for everyone
            # who may see it (finance, account managers)
            ("POST", f"/actions/{anna_item.id}/acknowledge", roles.can_act_for_others(role)),
            ("GET", "/meeting/10", role in MEETING_ROLES),
            ("GET", "/meeting/10/agenda.pdf", role in MEETING_ROLES),
            ("GET", "/admin/deliveries", roles.can_admin(role)),
        ]
        if not roles.can_admin(role):
            cases.append(("POST", "/admin/deliveries/1/retry", False))
        for method, path, allowed in cases:
            if method == "POST":
                status = client.post(path, data={"csrf_token": token}).status_code
            else:
                status = client.get(path).status_code
            if status not in ({200, 303} if allowed else {403}):
                failures.append(f"{role} {method} {path}: {status}")
        # a money item does not exist for a role that may not see money: not readable through
        # the answer to a button (HX-Request renders the item, its revenue and margin included)
        hidden = client.post(
            f"/actions/{money_item.id}/acknowledge",
            data={"csrf_token": token},
            headers={"HX-Request": "true"},
        )
        expected_status = (
            (200 if roles.can_act_for_others(role) else 403) if roles.can_see_money(role) else 404
        )
        if hidden.status_code != expected_status or (
            hidden.status_code != 200 and "EUR" in hidden.text
        ):
            failures.append(f"{role} money item: {hidden.status_code}")
        if roles.can_see_others(role):
            team = client.get("/actions/team").text
            shown = 'class="action-buttons"' in team
            if shown != roles.can_act_for_others(role):
                failures.append(f"{role} team page buttons shown: {shown}")
        bearer = create_token(engine_for(stip.settings), f"r_{role}")
        api = httpx.get(
            base + "/api/v1/actions", timeout=30, headers={"Authorization": f"Bearer {bearer}"}
        )
        assert api.status_code == 200 and list(api.json()) == ["as_of", "items"]
        everyone = item_store(stip.settings).items(dt.datetime.now(dt.UTC))
        # a loss-making client's item shows its revenue, cost and margin: not for roles that
        # may not see money (README "Users and roles"), even when they see everyone's items
        visible = [i for i in everyone if roles.can_see_money(role) or i.rule not in MONEY]
        # r_engineer has no linked resource: no items are theirs
        expected = len(visible) if roles.can_see_others(role) else 0
        seen = {item["rule"] for item in api.json()["items"]}
        assert len(api.json()["items"]) == expected
        assert ("loss_making_client" in seen) == (roles.can_see_money(role) and expected > 0)
        anonymous = httpx.get(base + "/actions/me", follow_redirects=False)
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    assert failures == []
