"""A demo STIP_HOME for web tests: the small demo MSP, one user per role, a 70-tile dashboard,
the demo's goals file, and a ticket whose title is an XSS probe. Built through the real demo
loader and Store.apply."""

from __future__ import annotations

from pathlib import Path

from stip.accounts.demo import ensure_demo_users
from stip.app import Stip
from stip.deliverables.demo import write_demo_deliverables
from stip.demo.load import build_demo
from stip.goals.demo import write_demo_goals
from stip.semantic.engine import KpiEngine
from stip.store.schema import Batch

XSS_TITLE = "<img src=x onerror=alert(1)>"
TV70_ID = "wall70"
#: The contract KPIs (contract §4): stable ids, so the 70-tile wall does not follow the
#: catalogue's growth.
CONTRACT_KPIS = [
    "tickets_created",
    "tickets_completed",
    "open_backlog",
    "overdue_tickets",
    "sla_met_rate",
    "first_response_hours_median",
    "resolution_hours_mean",
    "billable_hours",
    "billable_utilization",
    "time_entry_lag_hours_median",
    "csat_score",
    "csat_low_responses",
    "effective_hourly_rate",
]


def write_tv70(home: Path, kpi_ids: list[str]) -> None:
    """A 70-tile owner dashboard cycling through the catalogue (tiles may share a KPI)."""
    lines = [
        "kind: Dashboard",
        "version: 1",
        f"id: {TV70_ID}",
        "role: owner",
        "title: {en: Wall of seventy, nl: Muur van zeventig}",
        "elements:",
    ]
    names = [f"t{i:02d}" for i in range(70)]
    for i, name in enumerate(names):
        lines.append(f"  {name}: {{kpi: {kpi_ids[i % len(kpi_ids)]}}}")
    lines.append("layout:")
    for start in range(0, 70, 35):
        lines.append(f"  - heading: {{en: Part {start // 35 + 1}, nl: Deel {start // 35 + 1}}}")
        lines.append("    rows:")
        for row in range(start, start + 35, 7):
            lines.append(f"      - [{', '.join(names[row : row + 7])}]")
    folder = home / "dashboards"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TV70_ID}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plant_xss_title(stip: Stip, resource_id: int) -> int:
    """Give one open, overdue ticket of this engineer the XSS probe as its title."""
    with stip.store.read() as con:
        t = con.table("tickets")
        row = (
            t.filter(
                t.completed_date.isnull()
                & (t.assigned_resource_id == resource_id)
                & t.due_date_time.notnull()
            )
            .order_by(t.due_date_time)
            .limit(1)
            .to_pyarrow()
            .to_pylist()[0]
        )
    row["title"] = XSS_TITLE
    batch = Batch()
    batch.add("tickets", [row])
    stip.store.apply(batch)
    return int(row["id"])


def build_site(home: Path) -> dict[str, object]:
    stip = Stip.load(str(home))
    summary = build_demo(stip.store, scale="small", seed=1)
    users = ensure_demo_users(stip)
    engineer = next(u for u in users if u[1] == "engineer")
    from stip.accounts.users import engine_for, get_user

    linked = get_user(engine_for(stip.settings), engineer[0])
    assert linked is not None and linked.resource_id is not None
    ticket_id = plant_xss_title(stip, linked.resource_id)
    write_tv70(home, CONTRACT_KPIS)
    kpi_engine = KpiEngine(stip.store, stip.settings)
    write_demo_goals(kpi_engine, summary.end.date())
    write_demo_deliverables(kpi_engine, summary.end.date())
    return {
        "users": users,
        "xss_ticket": ticket_id,
        "engineer_resource": linked.resource_id,
        "demo_end": summary.end,
    }
