from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from stip.accounts.roles import ROLES
from stip.accounts.tokens import create_token
from stip.accounts.users import add_user, engine_for
from stip.app import Stip
from stip.settings import Settings
from stip.web.app import create_app

ENGINEER_RESOURCE = 29682885
with warnings.catch_warnings():
    # starlette 1.x deprecates its httpx-based client in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def stip(tmp_path_factory: pytest.TempPathFactory) -> Stip:
    """An empty (migrated) store and one user per role (`<role>`/`pw-<role>-ok`).

    Module-scoped with one app (below), so the KPI engine's cache is shared across tests.
    """
    app = Stip(Settings(home=tmp_path_factory.mktemp("web") / "home"))
    app.store.migrate()
    engine = engine_for(app.settings)
    for role in ROLES:
        resource = ENGINEER_RESOURCE if role == "engineer" else None
        add_user(engine, role, role, f"pw-{role}-ok", resource_id=resource)
    return app


@pytest.fixture(scope="module")
def web_app(stip: Stip) -> FastAPI:
    return create_app(stip)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as c:
        yield c


def csrf(client: TestClient) -> str:
    match = CSRF_RE.search(client.get("/api/docs").text)
    assert match is not None
    return match.group(1)


def login(client: TestClient, role: str) -> None:
    client.cookies.clear()
    token = csrf(client)
    response = client.post(
        "/login",
        data={"username": role, "password": f"pw-{role}-ok", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def bearer(stip: Stip, role: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_token(engine_for(stip.settings), role)}
