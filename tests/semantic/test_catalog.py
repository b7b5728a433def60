from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stip.errors import DefinitionError, QueryError
from stip.semantic.catalog import BUILTIN_DIR, load_catalog, validate_dirs
from stip.semantic.expressions import ExpressionError, check_expression

CONTRACT = [
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

GOOD = """\
kpis:
  - id: p1_share
    name: {en: P1 share, nl: Aandeel P1}
    description: {en: Share of P1 tickets., nl: Aandeel P1-tickets.}
    formula: {en: p1 / all, nl: p1 / alle}
    unit: "%"
    direction: lower_better
    group: ticket_flow
    roles: [service_manager]
    dimensions: [company]
    target: 5
    amber: 10
    measure:
      type: share
      base: tickets
      time: create_date
      condition: "_.priority == 1"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_contract_file_defines_the_13_contract_kpis() -> None:
    catalog, issues = validate_dirs([BUILTIN_DIR])
    contract = [i for i in issues if "contract.yaml" in i.file]
    assert contract == []
    assert all(kpi_id in catalog for kpi_id in CONTRACT)
    assert catalog.get("csat_low_responses").default_period == "last-7-days"
    assert catalog.get("overdue_tickets").has_actions


def test_user_kpis_and_target_overrides_from_stip_home(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "mine.yaml", GOOD)
    _write(tmp_path / "kpis", "targets.yaml", "targets:\n  sla_met_rate: {target: 97}\n")
    catalog, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert [i for i in issues if str(tmp_path) in i.file] == []
    assert catalog.get("p1_share").measure.condition == "_.priority == 1"
    assert catalog.get("sla_met_rate").target == 97
    assert catalog.get("sla_met_rate").amber == 90


def test_problems_are_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = GOOD.replace("direction: lower_better", "direction: sideways").replace(
        'condition: "_.priority == 1"', 'condition: "_.priority == 1 and _.queue_id"'
    )
    bad += textwrap.dedent(
        """\
          - id: p1_share
            name: {en: Dup, nl: Dup}
            description: {en: d, nl: d}
            formula: {en: f, nl: f}
            unit: count
            direction: higher_better
            group: ticket_flow
            roles: [owner]
            dimensions: [colour]
            measure: {type: count, base: tickets, time: created_at}
          - id: ghost_ratio
            name: {en: G, nl: G}
            description: {en: d, nl: d}
            formula: {en: f, nl: f}
            unit: ratio
            direction: higher_better
            group: workload
            roles: [owner]
            measure: {type: ratio, numerator: tickets_created, denominator: tickets_closd}
          - id: bad_column
            name: {en: G, nl: G}
            description: {en: d, nl: d}
            formula: {en: f, nl: f}
            unit: count
            direction: higher_better
            group: workload
            roles: [owner]
            measure: {type: count, base: tickets, time: created_at, where: ["_.nope > 1"]}
        targets:
          sla_met_rat: {target: 1}
        """
    )
    path = _write(tmp_path / "defs", "bad.yaml", bad)
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "defs"])
    mine = [str(i) for i in issues if i.file == str(path)]
    assert f"{path}:7: KPI p1_share: direction: Input should be" in mine[0]
    assert any(f"{path}:17: KPI p1_share: measure.condition: expression" in m for m in mine)
    assert any(":26: KPI p1_share: dimensions: Input should be" in m for m in mine)
    assert any(
        "unknown KPI 'tickets_closd'. Did you mean 'tickets_closed'" in m
        or "unknown KPI 'tickets_closd'" in m
        for m in mine
    )
    assert any(
        ":37: KPI bad_column: measure: 'created_at' is not a column of tickets" in m for m in mine
    )
    assert any("'_.nope > 1' does not fit base tickets" in m for m in mine)
    assert any(
        "targets: unknown KPI 'sla_met_rat'. Did you mean 'sla_met_rate'?" in m for m in mine
    )


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "defs", "broken.yaml", "kpis:\n  - id: x\n    name: [unclosed\n")
    _, issues = validate_dirs([tmp_path / "defs"])
    assert len(issues) == 1 and issues[0].file == str(path) and issues[0].line >= 3
    assert "YAML syntax" in issues[0].message


def test_load_catalog_raises_one_definition_error(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "x.yaml", "kpis: 3\n")
    with pytest.raises(DefinitionError, match=r"x.yaml:1: kpis: must be a list"):
        load_catalog(home=tmp_path)


def test_get_suggests_a_close_id() -> None:
    catalog, _ = validate_dirs([BUILTIN_DIR])
    with pytest.raises(QueryError, match="Did you mean 'open_backlog'"):
        catalog.get("open_backlg")


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "_.x.__class__", "_.a and _.b", "not _.a", "lambda: 1", "[i for i in _]"],
)
def test_expressions_are_whitelisted(text: str) -> None:
    with pytest.raises(ExpressionError):
        check_expression(text)


def test_expressions_allow_the_ibis_column_api() -> None:
    check_expression("_.completed_date.isnull() | (_.completed_date >= period_end)")
    check_expression("coalesce(_.end_date_time, _.start_date_time) < as_of")
    check_expression("_.survey_rating < 0.6 * csat_scale_max")
