"""The same rules and item store with both the store and the application DB on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from stip.actions.closed_loop import closed_loop_values
from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.actions.meeting import build_agenda
from stip.app import Stip


@pytest.mark.postgres
def test_rules_items_and_closed_loop_on_postgres(
    stip_home: Path, pg_url: str, W: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STIP_DB", pg_url)
    monkeypatch.setenv("STIP_APP_DB", pg_url)
    stip = W.build(Stip.load())
    as_of = W.local(stip, "2026-04-28T10:30")
    first = evaluate(stip, as_of)
    assert first.created == 6
    assert evaluate(stip, as_of).created == 0
    store = item_store(stip.settings)
    items = {i.rule: i for i in store.items(as_of)}
    assert items["csat_low_callback"].due_at == W.local(stip, "2026-04-28T15:00")
    assert items["loss_making_client"].facts["cost"] == "600"
    assert items["unbilled_time"].person == "fien"
    store.done(items["csat_low_callback"].id, W.local(stip, "2026-04-28T11:00"), "eva")
    values = closed_loop_values(stip, "2026-W17", W.local(stip, "2026-04-28T12:00"))
    assert values["callback_within_2bd_rate"] == 100.0
    agenda = build_agenda(stip, W.TEAM, W.local(stip, "2026-04-28T12:00"))
    eva = next(e for e in agenda.engineers if e.resource_id == W.EVA)
    assert (eva.csat_pct, eva.overdue_now, eva.callbacks_done) == (65.0, 1, 1)
    escalations = evaluate(stip, W.local(stip, "2026-04-29T15:01"))
    assert escalations.escalated == 0  # the call-back was done in time
