"""The serve-time warm-up computes the shared dashboards once per data change, so the first
visitor after a sync gets figures from the engine's cache; and the scoped views (an engineer's
own scorecard) that people opened lately."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from stip.accounts.roles import ROLES
from stip.accounts.users import add_user, engine_for
from stip.app import Stip
from stip.deliverables.demo import write_demo_deliverables
from stip.demo.load import build_demo
from stip.goals.demo import write_demo_goals
from stip.semantic import engine as engine_module
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.web.warmup import Warmup

from .conftest import ENGINEER_RESOURCE, TestClient, login

END = datetime(2026, 11, 2, 9, 0)


@pytest.fixture(scope="module")
def stip(tmp_path_factory: pytest.TempPathFactory) -> Stip:
    app = Stip(Settings(home=tmp_path_factory.mktemp("warm") / "home"))
    app.store.migrate()
    build_demo(app.store, "small", 3, END)
    engine = engine_for(app.settings)
    for role in ROLES:
        resource = ENGINEER_RESOURCE if role == "engineer" else None
        add_user(engine, role, role, f"pw-{role}-ok", resource_id=resource)
    return app


def _refuse(*_args: object, **_kwargs: object) -> object:
    raise AssertionError("the warmed page computed KPIs again")


def test_warms_every_shared_dashboard_once_per_data_change(
    web_app: FastAPI, stip: Stip, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = web_app.state.web
    warm = Warmup(state)
    shared = sorted(d.id for d in state.dashboards.all() if not d.filters.personal)
    assert "owner" in shared and "engineer" not in shared
    assert sorted(warm()) == sorted([*shared, "clients", "price simulator"])
    assert warm() == []  # nothing changed: nothing computed

    # the owner's and the finance user's first views are served from the warmed cache, and
    # so is the clients page for every role that opens it
    with monkeypatch.context() as patch, TestClient(web_app) as client:
        patch.setattr(engine_module, "compute", _refuse)
        for role in ("owner", "finance"):
            login(client, role)
            page = client.get(f"/d/{role}")
            assert page.status_code == 200, page.text
            assert 'class="tile' in page.text
        for role in ("account_manager", "teamlead"):
            login(client, role)
            page = client.get("/clients")
            assert page.status_code == 200, page.text
            assert '<th scope="row">' in page.text

    batch = Batch()
    batch.add("tickets", [{"source_system": "autotask", "id": 999_999_001, "title": "new"}])
    stip.store.apply(batch)
    assert sorted(warm()) == sorted(
        [*shared, "clients", "price simulator"]
    )  # the data changed: warmed again


def test_warms_the_scoped_views_seen_lately_after_a_data_change(
    web_app: FastAPI, stip: Stip, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = web_app.state.web
    warm = Warmup(state)
    warm()
    with TestClient(web_app) as client:
        login(client, "engineer")
        assert client.get("/d/engineer").status_code == 200
        assert client.get("/d/engineer?as_of=2026-10-01T09:00").status_code == 200
    # the engineer's own scorecard at the live as-of; a view of a fixed as-of is not kept warm
    (seen,) = state.recent.current()
    assert (seen.dashboard_id, seen.scope.resource_id) == ("engineer", ENGINEER_RESOURCE)
    assert seen.period == "this-week"
    assert warm() == []  # nothing changed: nothing computed

    batch = Batch()
    batch.add("tickets", [{"source_system": "autotask", "id": 999_999_002, "title": "newer"}])
    stip.store.apply(batch)
    assert seen.label in warm()
    with monkeypatch.context() as patch, TestClient(web_app) as client:
        patch.setattr(engine_module, "compute", _refuse)
        login(client, "engineer")
        page = client.get("/d/engineer")
        assert page.status_code == 200, page.text
        assert 'class="tile' in page.text


@pytest.mark.parametrize(
    ("name", "write", "roles", "marker", "first_id"),
    [
        ("goals", write_demo_goals, ("owner", "engineer"), 'class="goal-value"', 999_999_003),
        (
            "deliverables",
            write_demo_deliverables,
            ("owner",),
            "deliverable-cell status-",
            999_999_005,
        ),
    ],
)
def test_warms_the_pages_of_a_definition_file(
    web_app: FastAPI,
    stip: Stip,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    write: Callable[[KpiEngine, date], Path | None],
    roles: tuple[str, ...],
    marker: str,
    first_id: int,
) -> None:
    """The goals and deliverables pages after a sync come from the warm-up's computation."""
    state = web_app.state.web
    warm = Warmup(state)
    warm()
    assert write(state.kpis.engine, END.date()) is not None
    batch = Batch()
    batch.add("tickets", [{"source_system": "autotask", "id": first_id, "title": "newest"}])
    stip.store.apply(batch)
    assert name in warm()
    with monkeypatch.context() as patch, TestClient(web_app) as client:
        patch.setattr(engine_module, "compute", _refuse)  # the page computes nothing more
        for role in roles:
            login(client, role)
            page = client.get(f"/{name}")
            assert page.status_code == 200, page.text
            assert marker in page.text
    (stip.settings.home / f"{name}.yaml").write_text("kind: Nope\n", encoding="utf-8")
    batch.add("tickets", [{"source_system": "autotask", "id": first_id + 1, "title": "last"}])
    stip.store.apply(batch)
    assert name not in warm()  # a file with a mistake: the page reports it
