"""Every route x every role, checked against the declared permission table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from stip.accounts import roles
from stip.accounts.secret import secret_key
from stip.accounts.shares import create_share
from stip.accounts.users import add_user, engine_for, get_user, set_active
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer, csrf, login

MONEY_KPI = "effective_hourly_rate"
PLAIN_KPI = "open_backlog"
ACTIONS_KPI = "overdue_tickets"
MONEY_ACTIONS_KPI = "underwater_agreements"  # a count for all; its rows name each loss
DASHBOARDS = roles.DASHBOARD_ROLES


@dataclass
class Case:
    method: str
    path: str
    allowed: Callable[[str], bool]
    data: Callable[[], dict[str, str]] | None = None
    api: bool = False


def _public(_: str) -> bool:
    return True


def _fixer(role: str) -> bool:
    return roles.can_admin(role) or role == roles.OWNER


def _checking(text: str) -> dict[str, str]:
    return {"text": text, "action": "check"}


def _cases(stip: Stip) -> dict[str, list[Case]]:
    """Route template -> concrete requests with the role predicate from `roles`."""
    engine = engine_for(stip.settings)
    key = secret_key(stip.settings)
    victim = get_user(engine, "victim") or add_user(engine, "victim", "finance", "pw-victim-ok")

    def share() -> str:
        return create_share(engine, key, "owner", "test").id

    money = roles.can_see_money
    return {
        "GET /": [Case("GET", "/", _public)],
        "GET /d/{dashboard_id}": [
            Case("GET", f"/d/{d}", lambda r, d=d: roles.can_view_dashboard(r, d))
            for d in DASHBOARDS
        ]
        + [
            Case(
                "GET",
                f"/d/engineer?resource={ENGINEER_OTHER}",
                lambda r: roles.can_view_dashboard(r, "engineer") and roles.can_see_others(r),
            )
        ],
        "GET /d/{dashboard_id}/grid": [
            Case("GET", f"/d/{d}/grid", lambda r, d=d: roles.can_view_dashboard(r, d))
            for d in DASHBOARDS
        ],
        "GET /kpi/{kpi_id}": [
            Case("GET", f"/kpi/{MONEY_KPI}", money),
            Case("GET", f"/kpi/{PLAIN_KPI}", _public),
            Case("GET", f"/kpi/{PLAIN_KPI}?resource={ENGINEER_OTHER}", roles.can_see_others),
        ],
        "GET /kpi/{kpi_id}/export.{fmt}": [
            Case("GET", f"/kpi/{MONEY_KPI}/export.csv?table=company", money),
            Case("GET", f"/kpi/{ACTIONS_KPI}/export.xlsx?table=actions", _public),
            Case("GET", f"/kpi/{MONEY_ACTIONS_KPI}/export.csv?table=actions", money),
            Case("GET", f"/kpi/{MONEY_ACTIONS_KPI}/export.csv", _public),
        ],
        "GET /admin/shares": [Case("GET", "/admin/shares", roles.can_admin)],
        "GET /admin/sync": [Case("GET", "/admin/sync", roles.can_admin)],
        "POST /admin/shares": [
            Case("POST", "/admin/shares", roles.can_admin, lambda: {"dashboard_id": "owner"})
        ],
        "POST /admin/shares/{link_id}/revoke": [
            Case("POST", "/admin/shares/{share}/revoke", roles.can_admin, dict)
        ],
        "GET /admin/users": [Case("GET", "/admin/users", roles.can_admin)],
        "POST /admin/users/{user_id}/{action}": [
            Case("POST", f"/admin/users/{victim.id}/disable", roles.can_admin, dict),
            Case("POST", f"/admin/users/{victim.id}/enable", roles.can_admin, dict),
        ],
        "GET /api/v1/dashboards": [Case("GET", "/api/v1/dashboards", _public, api=True)],
        "GET /api/v1/dashboards/{dashboard_id}": [
            Case(
                "GET",
                f"/api/v1/dashboards/{d}",
                lambda r, d=d: roles.can_view_dashboard(r, d),
                api=True,
            )
            for d in DASHBOARDS
        ],
        "GET /api/v1/kpis/{kpi_id}/values": [
            Case("GET", f"/api/v1/kpis/{MONEY_KPI}/values?period=2026-10", money, api=True),
            Case("GET", f"/api/v1/kpis/{PLAIN_KPI}/values?period=2026-10", _public, api=True),
            Case(
                "GET",
                f"/api/v1/kpis/{PLAIN_KPI}/values?period=2026-10&by=resource",
                roles.can_see_others,
                api=True,
            ),
        ],
        "GET /api/v1/kpis/{kpi_id}/actions": [
            Case("GET", f"/api/v1/kpis/{ACTIONS_KPI}/actions", _public, api=True),
            Case("GET", f"/api/v1/kpis/{MONEY_ACTIONS_KPI}/actions", money, api=True),
        ],
        "GET /clients": [Case("GET", "/clients", roles.can_see_others)],
        "GET /api/v1/clients": [
            Case("GET", "/api/v1/clients?period=2026-10", roles.can_see_others, api=True)
        ],
        "GET /clients/export.{fmt}": [
            Case("GET", "/clients/export.csv", roles.can_see_others),
            Case("GET", "/clients/export.xlsx?mine=0&sort=name", roles.can_see_others),
        ],
        # the price simulator is about money through and through
        "GET /clients/simulate": [Case("GET", "/clients/simulate?price=120", money)],
        "GET /clients/simulate/export.{fmt}": [
            Case("GET", "/clients/simulate/export.csv", money),
            Case("GET", "/clients/simulate/export.xlsx?mine=0", money),
        ],
        "GET /api/v1/clients/simulate": [
            Case("GET", "/api/v1/clients/simulate?period=2026-10", money, api=True)
        ],
        # everyone knows the goals; amounts and other people's rows are left out (goals tests)
        "GET /goals": [Case("GET", "/goals", _public)],
        "GET /api/v1/goals": [Case("GET", "/api/v1/goals", _public, api=True)],
        # contracts' deliverables: for those who look after clients and people
        "GET /deliverables": [Case("GET", "/deliverables", roles.can_see_others)],
        "GET /deliverables/{agreement_id}/report.pdf": [
            Case("GET", "/deliverables/acme/report.pdf", roles.can_see_others)
        ],
        # editing the goals and deliverables files: those who may fix them (owner, admins);
        # "check" writes nothing (tests/web/test_editor.py saves)
        "GET /goals/edit": [Case("GET", "/goals/edit", _fixer)],
        "POST /goals/edit": [Case("POST", "/goals/edit", _fixer, lambda: _checking(GOALS))],
        "GET /deliverables/edit": [Case("GET", "/deliverables/edit", _fixer)],
        "POST /deliverables/edit": [
            Case("POST", "/deliverables/edit", _fixer, lambda: _checking(DELIVERABLES))
        ],
        "GET /targets/edit": [Case("GET", "/targets/edit", _fixer)],
        "POST /targets/edit": [
            Case("POST", "/targets/edit", _fixer, lambda: _checking("targets: {}\n"))
        ],
        "GET /api/v1/deliverables": [
            Case("GET", "/api/v1/deliverables", roles.can_see_others, api=True)
        ],
        "__share__": [Case("GET", "/s/{token}", _public), Case("GET", "/s/{token}/grid", _public)],
        "__public__": [
            Case("GET", "/login", _public),
            Case("GET", "/api/docs", _public),
            Case("GET", "/api/openapi.json", _public),
        ],
        "__share_factory__": [Case("GET", share(), _public)],
    }


ENGINEER_OTHER = 1


@pytest.fixture(scope="module", autouse=True)
def other_engineer(stip: Stip) -> None:
    """The person whose figures a manager may open and an engineer may not (a person the
    store does not know is a 404 for everyone)."""
    batch = Batch()
    resource = {"source_system": "autotask", "id": ENGINEER_OTHER, "first_name": "Other"}
    batch.add("resources", [{**resource, "last_name": "Engineer", "is_active": True}])
    stip.store.apply(batch)
    (stip.settings.home / "goals.yaml").write_text(GOALS, encoding="utf-8")
    (stip.settings.home / "deliverables.yaml").write_text(DELIVERABLES, encoding="utf-8")


GOALS = """\
kind: Goals
version: 1
horizon: {statement: {en: On time, nl: Op tijd}, by: 2030-12-31}
goals:
  sla: {kpi: sla_met_rate, start: 2026-01-01, baseline: 90, target: 95, split: resource}
  money: {kpi: mrr, start: 2026-01-01, baseline: 100, target: 200}
"""


DELIVERABLES = """\
kind: Deliverables
version: 1
agreements:
  acme: {title: {en: Acme, nl: Acme}, client: 1, deliverables: [{kpi: sla_met_rate}]}
"""


#: Routes that need no login at all (login itself, share links, docs) or only a session.
PUBLIC_ROUTES = {
    "GET /login",
    "POST /login",
    "POST /logout",
    "POST /lang",
    "GET /s/{token}",
    "GET /s/{token}/grid",
    "GET /api/docs",
    "GET /api/openapi.json",
}


def _flat_routes(routes: list[object]) -> list[object]:
    """Routes, with included routers expanded (FastAPI includes them lazily)."""
    out: list[object] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += _flat_routes(inner.routes) if inner is not None else [route]
    return out


def _app_routes(app: object) -> set[str]:
    out = set()
    for route in _flat_routes(app.routes):  # type: ignore[attr-defined]
        module = getattr(getattr(route, "endpoint", None), "__module__", "")
        if module == "stip.web.routes.actions":
            continue  # the actions helper's router, tested by its owner
        methods = getattr(route, "methods", None)
        if not methods:
            continue  # the /static mount
        for method in methods - {"HEAD"}:
            out.add(f"{method} {route.path}")  # type: ignore[attr-defined]
    return out


def test_the_table_covers_every_route(stip: Stip, web_app: FastAPI) -> None:
    app = web_app
    cases = _cases(stip)
    declared = {k for k in cases if not k.startswith("__")} | PUBLIC_ROUTES
    assert _app_routes(app) == declared


def _request(client: TestClient, stip: Stip, case: Case, role: str) -> int:
    path = case.path
    if "{share}" in path:
        path = path.replace(
            "{share}",
            create_share(engine_for(stip.settings), secret_key(stip.settings), "owner", "t").id,
        )
    if case.api:
        return client.get(path, headers=bearer(stip, role)).status_code
    if case.method == "POST":
        data = {**(case.data() if case.data else {}), "csrf_token": csrf(client)}
        return client.post(path, data=data, follow_redirects=False).status_code
    return client.get(path, follow_redirects=False).status_code


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_route_for_every_role_matches_the_permission_table(
    role: str, stip: Stip, client: TestClient
) -> None:
    login(client, role)
    failures = []
    for template, cases in _cases(stip).items():
        if template.startswith("__"):
            continue
        for case in cases:
            status = _request(client, stip, case, role)
            expected = case.allowed(role)
            ok_codes = {200, 303} if expected else {403}
            if status not in ok_codes:
                failures.append(f"{role} {case.method} {case.path}: {status}, expected {ok_codes}")
    assert failures == []


def test_anonymous_visitors_are_sent_to_login_and_api_needs_a_token(
    stip: Stip, client: TestClient
) -> None:
    for template, cases in _cases(stip).items():
        if template.startswith("__") or template == "GET /":
            continue
        for case in cases:
            if case.api:
                response = client.get(case.path)
                assert response.status_code == 401, case.path
                assert response.headers["www-authenticate"] == "Bearer"
                assert "bearer token" in response.json()["error"]
            elif case.method == "GET":
                response = client.get(case.path, follow_redirects=False)
                assert response.status_code == 303, case.path
                assert response.headers["location"].startswith("/login?next=/")
            else:
                response = client.post(
                    case.path.replace("{share}", "x"),
                    data={"csrf_token": csrf(client)},
                    follow_redirects=False,
                )
                assert response.status_code == 303, case.path
                assert response.headers["location"].startswith("/login")
    assert (
        client.get("/api/v1/dashboards", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_share_links_need_no_login_and_only_open_their_own_dashboard(
    stip: Stip, client: TestClient
) -> None:
    link = create_share(engine_for(stip.settings), secret_key(stip.settings), "owner", "t")
    assert client.get(link.path).status_code == 200
    assert client.get(link.path + "/grid").status_code == 200
    assert client.get(link.path + "?tv=0").status_code == 200
    assert client.get("/s/forged-token").status_code == 404
    # a viewer without login picks a relative period, nothing they could compute at will
    today = client.get(link.path + "?period=today&lang=en").text
    assert "(Today)" in today
    chosen = "?period=2026-10&custom=1970-01-01..2199-12-31&as_of=2020-01-01T00:00&lang=en"
    page = client.get(link.path + chosen).text
    assert "1970" not in page and "2020" not in page and "Oct 2026 (2026-10)" not in page
    # a share link grants nothing beyond its dashboard
    assert client.get("/d/owner", follow_redirects=False).status_code == 303
    assert client.get("/admin/shares", follow_redirects=False).status_code == 303


def test_disabled_user_loses_session_and_tokens(stip: Stip, client: TestClient) -> None:
    engine = engine_for(stip.settings)
    add_user(engine, "leaver", "finance", "pw-leaver-ok")
    headers = bearer(stip, "leaver")
    client.post(
        "/login",
        data={"username": "leaver", "password": "pw-leaver-ok", "csrf_token": csrf(client)},
    )
    assert client.get("/d/finance").status_code == 200
    stolen = dict(client.cookies)  # a copy someone else may hold
    set_active(engine, "leaver", False)
    assert client.get("/d/finance", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/dashboards", headers=headers).status_code == 401
    # enabling the account again revives neither the old session nor the old token
    set_active(engine, "leaver", True)
    client.cookies.clear()
    client.cookies.update(stolen)
    assert client.get("/d/finance", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/dashboards", headers=headers).status_code == 401


def test_api_dashboard_list_follows_the_table(stip: Stip, client: TestClient) -> None:
    for role in roles.ROLES:
        body = client.get("/api/v1/dashboards", headers=bearer(stip, role)).json()
        ids = {d["id"] for d in body["dashboards"]}
        assert ids == {d for d in DASHBOARDS if roles.can_view_dashboard(role, d)}


def test_ids_beyond_64_bits_are_a_bad_request_not_an_overflow(client: TestClient) -> None:
    login(client, "admin")
    token = {"csrf_token": csrf(client)}
    huge = 2**64
    for path in (
        f"/admin/users/{huge}/disable",
        f"/actions/{huge}/done",
        f"/admin/deliveries/{huge}/retry",
    ):
        response = client.post(path, data=token)
        assert response.status_code == 400, (path, response.status_code)
    assert client.get(f"/meeting/{huge}").status_code == 400
    assert client.post("/admin/users/12345/disable", data=token).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("teamlead", 403), ("account_manager", 200)])
def test_invoice_action_lists_are_money(
    stip: Stip, client: TestClient, role: str, status: int
) -> None:
    """The overdue invoices are a count, but their action list names each invoice's amount."""
    login(client, role)
    assert client.get("/kpi/overdue_invoices?period=today").status_code == status
    api = "/api/v1/kpis/overdue_invoices/actions?period=today"
    assert client.get(api, headers=bearer(stip, role)).status_code == status
