"""The demo's deliverables file: written once, valid against the catalogue, and real months
on the demo's data (some met, some missed, none without data)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from stip.deliverables.demo import write_demo_deliverables
from stip.deliverables.loader import load_deliverables
from stip.deliverables.scorecard import scorecards
from stip.semantic.engine import KpiEngine
from stip.settings import Settings

from .helpers import Built


def test_the_demo_agreements_load_and_judge_the_demo(small: Built, tmp_path: Path) -> None:
    engine = KpiEngine(small.store, Settings(home=tmp_path))
    path = write_demo_deliverables(engine, date(2026, 11, 26))
    assert path == tmp_path / "deliverables.yaml"
    spec = load_deliverables(path, engine.catalog)
    clients = [a for a in spec.agreements.values() if a.client is not None]
    assert len(clients) == 2 and all(a.start == date(2026, 6, 1) for a in clients)
    # each client's fee is its recurring revenue of last month, to the nearest 10
    october = engine.values("mrr", "2026-10", by="company", as_of="2026-11-26T00:00")
    revenue = {row.by["company_id"]: row.value for row in october.rows if row.value}
    for agreement in clients:
        assert agreement.fee == round(float(revenue[agreement.client]), -1)
    assert sorted(revenue.values(), reverse=True)[:2] == sorted(
        (revenue[a.client] for a in clients), reverse=True
    )
    cards = scorecards(engine, spec, engine.as_of("2026-11-26T16:00"))
    assert [c.name is not None for c in cards.cards] == [True, True, True]
    field = cards.cards[-1]
    assert field.agreement.team is not None and field.name == "Field"
    verdicts = Counter(
        m.status for c in cards.cards for line in c.lines for m in line.months if m.final
    )
    assert verdicts["met"] and verdicts["missed"] and not verdicts["no_data"], verdicts
    # the owner's own file is never replaced
    path.write_text(path.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    assert write_demo_deliverables(engine, date(2026, 11, 26)) is None
    assert path.read_text(encoding="utf-8").endswith("# mine\n")
