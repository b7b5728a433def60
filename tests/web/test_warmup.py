"""The serve-time warm-up computes the shared dashboards once per data change, so the first
visitor after a sync gets figures from the engine's cache."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI

from stip.accounts.roles import ROLES
from stip.accounts.users import add_user, engine_for
from stip.app import Stip
from stip.demo.load import build_demo
from stip.semantic import engine as engine_module
from stip.settings import Settings
from stip.store.schema import Batch
from stip.web.warmup import Warmup

from .conftest import TestClient, login

END = datetime(2026, 11, 2, 9, 0)


@pytest.fixture(scope="module")
def stip(tmp_path_factory: pytest.TempPathFactory) -> Stip:
    app = Stip(Settings(home=tmp_path_factory.mktemp("warm") / "home"))
    app.store.migrate()
    build_demo(app.store, "small", 3, END)
    engine = engine_for(app.settings)
    for role in ROLES:
        add_user(engine, role, role, f"pw-{role}-ok")
    return app


def test_warms_every_shared_dashboard_once_per_data_change(
    web_app: FastAPI, stip: Stip, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = web_app.state.web
    warm = Warmup(state)
    shared = sorted(d.id for d in state.dashboards.all() if not d.filters.personal)
    assert "owner" in shared and "engineer" not in shared
    assert sorted(warm()) == shared
    assert warm() == []  # nothing changed: nothing computed

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("the warmed page computed KPIs again")

    # the owner's and the finance user's first views are served from the warmed cache
    with monkeypatch.context() as patch, TestClient(web_app) as client:
        patch.setattr(engine_module, "compute", refuse)
        for role in ("owner", "finance"):
            login(client, role)
            page = client.get(f"/d/{role}")
            assert page.status_code == 200, page.text
            assert 'class="tile' in page.text

    batch = Batch()
    batch.add("tickets", [{"source_system": "autotask", "id": 999_999_001, "title": "new"}])
    stip.store.apply(batch)
    assert sorted(warm()) == shared  # the data changed: warmed again
