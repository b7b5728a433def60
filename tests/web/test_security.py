from __future__ import annotations

import re
from datetime import datetime

from stip.app import Stip
from stip.store.schema import Batch
from stip.web.routes.auth import safe_next
from stip.web.security import CSP
from stip.web.templating import TEMPLATE_DIR

from .conftest import TestClient, bearer, csrf, login

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_security_headers_and_csp_without_unsafe_inline(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_templates_have_no_external_urls_inline_scripts_or_styles() -> None:
    for path in TEMPLATE_DIR.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), path.name
        assert "<script>" not in text and "style=" not in text and "<style" not in text, path.name


def test_rendered_pages_have_no_external_urls(client: TestClient) -> None:
    login(client, "owner")
    for path in ("/d/owner", "/d/owner?tv=1", "/kpi/open_backlog", "/api/docs"):
        body = client.get(path).text
        assert not EXTERNAL.search(body), path
        assert "/static/vendor/htmx.min.js" in body


def test_session_cookie_is_httponly_samesite_lax_and_signed(client: TestClient) -> None:
    token = csrf(client)
    response = client.post(
        "/login",
        data={"username": "owner", "password": "pw-owner-ok", "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("stip_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie
    # a forged cookie is ignored: the visitor is anonymous again
    client.cookies.set("stip_session", "eyJ1aWQiOiAxfQ==.forged.sig")
    assert client.get("/d/owner", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_also_for_a_copied_cookie(client: TestClient) -> None:
    login(client, "finance")
    copied = client.cookies.get("stip_session")
    assert client.get("/kpi/total_revenue", follow_redirects=False).status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code in (200, 303)
    client.cookies.clear()
    client.cookies.set("stip_session", copied)
    # the cookie is still validly signed, but its server-side session has ended
    assert client.get("/kpi/total_revenue", follow_redirects=False).status_code == 303


def test_pages_api_and_exports_are_not_cached_but_assets_are(
    stip: Stip, client: TestClient
) -> None:
    login(client, "owner")
    for path in ("/d/owner", "/kpi/total_revenue", "/kpi/total_revenue/export.csv"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    api = client.get("/api/v1/dashboards", headers=bearer(stip, "owner"))
    assert api.headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/vendor/htmx.min.js").headers.get(
        "cache-control", ""
    )


def test_every_post_needs_the_csrf_token(client: TestClient) -> None:
    login(client, "admin")
    for path in ("/admin/shares", "/logout", "/lang", "/admin/users/1/disable"):
        response = client.post(path, data={"dashboard_id": "owner", "lang": "nl"})
        assert response.status_code == 403, path
        assert "did not come from this site" in response.text
    wrong = client.post("/lang", data={"lang": "nl", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert client.post("/login", data={"username": "a", "password": "b"}).status_code == 403


def test_login_is_rate_limited_per_user_and_ip(client: TestClient) -> None:
    token = csrf(client)
    for _ in range(5):
        bad = client.post(
            "/login", data={"username": "teamlead", "password": "nope-nope", "csrf_token": token}
        )
        assert bad.status_code == 401
        assert "Unknown user name or wrong password." in bad.text
    blocked = client.post(
        "/login", data={"username": "teamlead", "password": "pw-teamlead-ok", "csrf_token": token}
    )
    assert blocked.status_code == 429
    other = client.post(
        "/login",
        data={
            "username": "service_manager",
            "password": "pw-service_manager-ok",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_open_redirects_are_refused() -> None:
    assert safe_next("/d/owner?tv=1") == "/d/owner?tv=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil.example", "", None):
        assert safe_next(bad) == "/"


def test_psa_text_is_escaped_in_pages_and_exports(stip: Stip, client: TestClient) -> None:
    probe = "<img src=x onerror=alert(1)>"
    batch = Batch()
    batch.add(
        "tickets",
        [
            {
                "source_system": "autotask",
                "id": 900001,
                "ticket_number": '=HYPERLINK("http://evil")',
                "title": probe,
                "assigned_resource_id": 29682885,
                # live views are as of the data's time (this ticket's creation): due before it
                "create_date": datetime(2020, 1, 1, 9),
                "due_date_time": datetime(2019, 12, 31, 9),
            }
        ],
    )
    stip.store.apply(batch)
    login(client, "engineer")
    page = client.get("/kpi/overdue_tickets").text
    assert probe not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    csv_body = client.get("/kpi/overdue_tickets/export.csv?table=actions").content.decode()
    assert "'=HYPERLINK" in csv_body and ",=HYPERLINK" not in csv_body
