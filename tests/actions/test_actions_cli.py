"""`stip actions ...` as a user runs it: a real process, the contract JSON shape, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from stip.app import Stip

from .run import run_stip


def test_list_json_is_the_contract_shape(world: Stip, W: ModuleType) -> None:
    done = run_stip("actions", "list", "--as-of", "2026-04-28T10:30", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["as_of"] == "2026-04-28T10:30:00+02:00"
    assert len(data["items"]) == 6
    for item in data["items"]:
        assert list(item) == [
            "id",
            "rule",
            "person",
            "person_id",
            "ticket_id",
            "company_id",
            "due",
            "status",
            "why",
        ]
        assert item["status"] == "open"
    csat = next(i for i in data["items"] if i["rule"] == "csat_low_callback")
    assert csat["person"] == "Eva de Vries" and csat["person_id"] == W.EVA
    assert csat["ticket_id"] == 1000 and csat["company_id"] == W.COMPANY
    assert csat["due"] == "2026-04-28T15:00:00+02:00"
    assert csat["why"] == (
        'Piet Jansen of Bakkerij Jansen rated ticket T20260420.0001 "Printer offline" 4/10 '
        "on 2026-04-24 15:00."
    )
    unbilled = next(i for i in data["items"] if i["rule"] == "unbilled_time")
    assert unbilled["person_id"] is None and unbilled["ticket_id"] is None

    mine = json.loads(
        run_stip(
            "actions", "list", "--as-of", "2026-04-28T10:30", "--json", "--person", "Eva de Vries"
        ).stdout
    )
    assert sorted(i["rule"] for i in mine["items"]) == ["csat_low_callback", "overdue_ticket"]
    assert {i["id"] for i in mine["items"]} <= {i["id"] for i in data["items"]}


def test_done_and_dismiss_from_the_command_line(world: Stip) -> None:
    data = json.loads(run_stip("actions", "list", "--as-of", "2026-04-28T10:30", "--json").stdout)
    first, second = data["items"][0]["id"], data["items"][1]["id"]
    assert run_stip("actions", "done", str(first)).stdout.strip() == f"#{first} is now done"
    refused = run_stip("actions", "dismiss", str(second), "--reason", " ")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: dismissing an action item needs a reason (why it needs no action)"
    )
    assert run_stip("actions", "dismiss", str(second), "--reason", "customer left").returncode == 0
    after = json.loads(run_stip("actions", "list", "--as-of", "2026-04-28T10:30", "--json").stdout)
    assert {first, second}.isdisjoint(i["id"] for i in after["items"])
    assert len(after["items"]) == 4


def test_a_broken_user_rule_names_file_and_line(world: Stip) -> None:
    rules = world.settings.home / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        "id: my_overdue\nkind: overdue\ntitle: {en: Late, nl: Laat}\nwho: assigned_engineer\n"
        "why:\n  en: 'Late {ticket_number}'\n  nl: 'Laat {ticket_nummer}'\n"
        "todo: {en: Fix it, nl: Los op}\n"
    )
    done = run_stip("actions", "evaluate", "--as-of", "2026-04-28T10:30")
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {rules / 'mine.yaml'}:7: why.nl: unknown fact")
    (rules / "mine.yaml").write_text("id: my_overdue\nkind: overdue\nwho: nobody\n")
    done = run_stip("actions", "evaluate")
    assert done.returncode == 1 and f"{rules / 'mine.yaml'}:" in done.stderr


def test_a_user_rule_replaces_a_shipped_one(world: Stip) -> None:
    shipped = Path(__file__).parents[2] / "src/stip/defaults/rules/overdue_ticket.yaml"
    rules = world.settings.home / "rules"
    rules.mkdir()
    (rules / "overdue.yaml").write_text(
        shipped.read_text().replace("deadline_business_hours: 4", "deadline_business_hours: 9")
    )
    data = json.loads(run_stip("actions", "list", "--as-of", "2026-04-28T10:30", "--json").stdout)
    overdue = next(i for i in data["items"] if i["rule"] == "overdue_ticket")
    # due Friday 12:00 + 9 business hours: Fri 5 h, (weekend, King's Day) Tue 08:00 + 4 h
    assert overdue["due"] == "2026-04-28T12:00:00+02:00"


def test_person_filter_takes_the_display_name_or_a_linked_user_name(
    world: Stip, W: ModuleType
) -> None:
    from stip.accounts.users import add_user, engine_for
    from stip.actions.evaluate import evaluate
    from stip.actions.items import item_store
    from stip.cli.actions import matches_person

    add_user(engine_for(world.settings), "eva", "engineer", "eva-password-1", resource_id=W.EVA)
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    items = item_store(world.settings).items(as_of)
    for name in ("Eva de Vries", "eva de vries", "eva"):
        assert sorted(i.rule for i in items if matches_person(i, name, world)) == [
            "csat_low_callback",
            "overdue_ticket",
        ]
    assert [i.rule for i in items if matches_person(i, "fien", world)] == ["unbilled_time"]
    assert [i for i in items if matches_person(i, "nobody", world)] == []
