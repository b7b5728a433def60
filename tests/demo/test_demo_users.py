"""The demo's users: the engineer and the account manager are linked to real resources, so
"my scorecard" and "my clients" show something on first start."""

from __future__ import annotations

from pathlib import Path

from stip.accounts.demo import ensure_demo_users
from stip.accounts.users import engine_for, get_user, set_resource
from stip.app import Stip
from stip.settings import Settings

from .helpers import Built


def test_the_account_manager_manages_the_most_clients(small: Built, tmp_path: Path) -> None:
    busiest = small.rows(
        "select c.owner_resource_id, count(*) from companies c"
        " join resources r on r.id = c.owner_resource_id"
        " where r.is_active and coalesce(c.is_active, true) and c.company_type = 1"
        " group by 1 order by 2 desc, 1 limit 2"
    )
    assert busiest[0][1] > busiest[1][1]  # one clear account manager of the most clients
    stip = Stip(Settings(home=tmp_path, db=str(small.path)))
    ensure_demo_users(stip)
    accounts = engine_for(stip.settings)
    manager = get_user(accounts, "account_manager")
    assert manager is not None and manager.resource_id == busiest[0][0]
    engineer = get_user(accounts, "engineer")
    assert engineer is not None and engineer.resource_id is not None
    # an existing account left unlinked is linked again; a linked one is left alone
    set_resource(accounts, manager.id, None)
    ensure_demo_users(stip)
    again = get_user(accounts, "account_manager")
    assert again is not None and again.resource_id == busiest[0][0]
    set_resource(accounts, manager.id, 7)
    ensure_demo_users(stip)
    kept = get_user(accounts, "account_manager")
    assert kept is not None and kept.resource_id == 7
