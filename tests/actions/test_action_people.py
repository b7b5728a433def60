"""Who acts when people leave, lead two teams or own the item; looking back changes nothing."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.actions.people import load_directory
from stip.app import Stip
from stip.store.schema import Batch

from .run import run_stip


def _upsert(stip: Stip, W: ModuleType, table: str, key: int, **changes: Any) -> None:
    """Apply the world's row `key` of `table` with `changes`, as a sync would."""
    row = next(r for r in W.rows()[table] if r["id"] == key)
    batch = Batch()
    batch.add(table, [{**row, **changes}])
    stip.store.apply(batch)


def _snapshot(stip: Stip) -> list[tuple[Any, ...]]:
    store = item_store(stip.settings)
    return [(i.id, i.rule, i.status, i.person, len(store.history(i.id))) for i in store.all_items()]


def test_looking_back_previews_and_changes_nothing(world: Stip, W: ModuleType) -> None:
    tuesday = W.local(world, "2026-04-28T10:30")
    assert evaluate(world, tuesday).created == 6
    before = _snapshot(world)
    friday = W.local(world, "2026-04-24T14:00")  # before the low rating (15:00)
    seen: list[str] = []
    result = evaluate(
        world,
        friday,
        then=lambda conn: seen.extend(
            i.rule for i in item_store(world.settings).items(friday, conn=conn)
        ),
    )
    assert result.rewound_from == tuesday
    # at Friday 14:00 the call-back's rating has not come in: evaluating then resolves it,
    # but only inside the rolled-back preview
    assert result.resolved >= 1 and "csat_low_callback" not in seen
    assert "overdue_ticket" in seen
    assert _snapshot(world) == before
    # moving forward again applies as usual
    assert evaluate(world, W.local(world, "2026-04-28T11:00")).rewound_from is None


def test_a_team_lead_who_left_gets_no_escalation(world: Stip, W: ModuleType) -> None:
    _upsert(world, W, "resources", W.LARS, is_active=False)
    after = W.local(world, "2026-04-29T15:01")  # 18 business hours after the rating
    evaluate(world, after)
    (escalated,) = [
        i for i in item_store(world.settings).items(after) if i.rule.endswith(".escalated")
    ]
    assert escalated.person_id is None and escalated.person == "teamlead"


def test_an_account_manager_who_left_gets_no_items(world: Stip, W: ModuleType) -> None:
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    assert any(i.person_id == W.ANNA for i in item_store(world.settings).items(as_of))
    _upsert(world, W, "resources", W.ANNA, is_active=False)
    evaluate(world, W.local(world, "2026-04-28T10:35"))
    items = item_store(world.settings).items(W.local(world, "2026-04-28T10:35"))
    assert not any(i.person_id == W.ANNA for i in items)
    assert {i.rule for i in items} >= {"contract_renewal", "loss_making_client"}


def test_the_leads_own_item_escalates_to_the_service_manager(world: Stip, W: ModuleType) -> None:
    _upsert(world, W, "tickets", 1000, assigned_resource_id=W.LARS)
    after = W.local(world, "2026-04-29T15:01")
    evaluate(world, after)
    items = item_store(world.settings).items(after)
    (callback,) = [i for i in items if i.rule == "csat_low_callback"]
    (escalated,) = [i for i in items if i.rule == "csat_low_callback.escalated"]
    assert callback.person_id == W.LARS
    assert escalated.person_id != W.LARS and escalated.person == "service_manager"


def test_a_lead_belongs_to_the_team_of_his_default_department(world: Stip, W: ModuleType) -> None:
    # Lars leads the service desk (his default department) and also works in department 11
    second = {"source_system": "autotask", "id": 4, "resource_id": W.LARS, "department_id": 11}
    batch = Batch()
    batch.add(
        "resource_role_departments",
        [{**second, "is_active": True, "is_default": False, "is_department_lead": False}],
    )
    world.store.apply(batch)
    with world.store.read() as con:
        directory = load_directory(con, {})
    assert directory.team_of[W.LARS] == W.TEAM
    assert W.LARS in directory.members(W.TEAM)
    assert directory.leads == {W.TEAM: W.LARS}


def test_listing_back_in_time_from_the_command_line(world: Stip) -> None:
    assert run_stip("actions", "evaluate", "--as-of", "2026-04-28T10:30").returncode == 0
    before = _snapshot(world)
    done = run_stip("actions", "evaluate", "--as-of", "2026-04-24T14:00", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["as_of"] == "2026-04-24T14:00:00+02:00"  # the MSP's offset, like `list`
    assert data["rewound_from"] == "2026-04-28T10:30:00+02:00"
    assert "nothing was changed" in done.stderr
    listed = run_stip("actions", "list", "--as-of", "2026-04-24T14:00", "--json")
    rules = {i["rule"] for i in json.loads(listed.stdout)["items"]}
    assert "overdue_ticket" in rules and "csat_low_callback" not in rules
    assert _snapshot(world) == before


def test_an_unknown_person_is_an_error_and_an_idle_one_is_not(world: Stip) -> None:
    typo = run_stip("actions", "list", "--as-of", "2026-04-28T10:30", "--person", "Eva de Vris")
    assert typo.returncode == 1
    [line] = typo.stderr.strip().splitlines()
    assert line.startswith("error: --person 'Eva de Vris': no resource, Stip user or role")
    idle = run_stip(
        "actions", "list", "--as-of", "2026-04-20T09:00", "--person", "Eva de Vries", "--lang", "nl"
    )
    assert idle.returncode == 0, idle.stderr
    assert idle.stdout.strip() == "geen openstaande actiepunten"


def test_the_agenda_leaves_client_money_out_for_readers_without_money(
    world: Stip, W: ModuleType
) -> None:
    """A loss-making client's item shows revenue, cost and margin: in the meeting agenda of a
    reader who may not see money (a team lead, the mailed agenda) it is left out."""
    from stip.actions.meeting import build_agenda

    member = {"source_system": "autotask", "id": 5, "resource_id": W.ANNA, "department_id": W.TEAM}
    batch = Batch()
    batch.add(
        "resource_role_departments",
        [{**member, "is_active": True, "is_default": True, "is_department_lead": False}],
    )
    world.store.apply(batch)
    evaluate(world, W.local(world, "2026-04-28T10:30"))
    as_of = W.local(world, "2026-04-28T11:00")  # the agenda: the week's items up to then
    shown = {e.rule for e in build_agenda(world, W.TEAM, as_of).exceptions}
    assert "loss_making_client" in shown
    hidden = {e.rule for e in build_agenda(world, W.TEAM, as_of, money=False).exceptions}
    assert hidden == shown - {"loss_making_client"}
