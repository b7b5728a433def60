"""The demo MSP's goals: a goals file written next to the demo store, dated from this year,
so the goals page shows a real cascade on first start. An existing file is never replaced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stip.demo.people import DEPARTMENTS
from stip.goals.loader import goals_file
from stip.goals.path import add_months
from stip.semantic.engine import KpiEngine

#: Recurring revenue grows this much a year towards the horizon.
GROWTH = 0.05
YEARS = 4
SERVICE_TEAMS = ", ".join(name for name, code in DEPARTMENTS if code in ("SD1", "SD2", "FLD"))

TEMPLATE = """\
# The demo MSP's goals (docs/goals.md): the dot on the horizon, and the goals that lead to
# it. Stip works out each year's, quarter's, month's, week's and day's milestone from them
# and measures every one against the PSA's data. Edit it here or on the goals page (Edit).
kind: Goals
version: 1
horizon:
  statement:
    en: In {horizon} we are the all-in IT partner of 300 companies in our region, and they
      recommend us
    nl: In {horizon} zijn we de all-in IT-partner van 300 bedrijven in onze regio, en zij
      bevelen ons aan
  by: {horizon}-12-31
clarity:
  statement:
    en: If a customer has a problem, it is our problem
    nl: Als een klant een probleem heeft, is het ons probleem
  guidelines:
    - en: We answer and solve every ticket within its SLA
      nl: We reageren op elk ticket en lossen het op binnen de SLA
    - en: We call back every low rating the same working day
      nl: We bellen elke lage beoordeling dezelfde werkdag terug
    - en: We book our hours the day we work them
      nl: We boeken onze uren op de dag dat we ze werken
  core_kpis:
    - sla_met_rate
    - csat_positive_rate
    - first_touch_resolution
    - same_day_entry_rate
    - service_gross_margin
goals:
  recurring_revenue:
    title:
      en: Recurring revenue grows 5 % a year
      nl: Terugkerende omzet groeit 5 % per jaar
    kpi: mrr
    start: {start}
    target: {mrr_target}
    path: compound
  margin:
    title:
      en: 45 % margin on services
      nl: 45 % marge op diensten
    kpi: service_gross_margin
    start: {start}
    target: 45
    by: {next}-12-31
  happy_clients:
    title:
      en: 85 % of ratings are positive
      nl: 85 % van de beoordelingen is positief
    kpi: csat_positive_rate
    start: {start}
    target: 85
    by: {next}-12-31
    supports: recurring_revenue
  sla:
    title:
      en: Every service team meets 95 % of its SLAs
      nl: Elk serviceteam haalt 95 % van zijn SLA's
    kpi: sla_met_rate
    start: {start}
    target: 95
    by: {next}-06-30
    split: team
    teams: [{teams}]
    supports: happy_clients
  billable_hours:
    title:
      en: 24 billable hours a week for each engineer
      nl: 24 declarabele uren per week per engineer
    kpi: billable_hours
    start: {start}
    baseline: 24
    target: 24
    per: week
    split: resource
    teams: [{teams}]
    supports: margin
"""


def write_demo_goals(engine: KpiEngine, today: date) -> Path | None:
    """Write `$STIP_HOME/goals.yaml` for the demo unless one exists; its path, else None.

    The goals start on 1 January, or three months back when the data has no month before
    that (the small demo); the revenue target is 5 % growth a year from the MRR of the month
    before the start, so it fits the demo whatever its scale."""
    path = goals_file(engine.settings.home)
    if path.exists():
        return None
    year = today.year
    start = date(year, 1, 1)
    mrr = _mrr_before(engine, start)
    if not mrr:  # a demo with less history: start where the data has a month before
        start = add_months(today.replace(day=1), -3)
        mrr = _mrr_before(engine, start)
    target = round(float(mrr or 10_000) * (1 + GROWTH) ** (YEARS + 1), -3)
    text = TEMPLATE.format(
        horizon=year + YEARS,
        start=start.isoformat(),
        next=year + 1,
        mrr_target=f"{target:.0f}",
        teams=SERVICE_TEAMS,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _mrr_before(engine: KpiEngine, start: date) -> float | None:
    """MRR of the month before `start` (the goal's measured baseline)."""
    month = add_months(start, -1)
    result = engine.values("mrr", f"{month:%Y-%m}", as_of=f"{start}T00:00")
    value = None if result.no_data or not result.rows else result.rows[0].value
    return None if value is None else float(value)
