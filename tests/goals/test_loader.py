"""A wrong goals file fails with file:line and what to change."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stip.errors import DefinitionError
from stip.goals.loader import load_goals
from stip.semantic.catalog import KpiCatalog, load_catalog

HEAD = """\
kind: Goals
version: 1
horizon:
  statement: {en: All-in partner of 300 companies, nl: All-in partner van 300 bedrijven}
  by: 2030-12-31
goals:
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> KpiCatalog:
    return load_catalog(home=tmp_path_factory.mktemp("home"))


def write(tmp_path: Path, goals: str) -> Path:
    path = tmp_path / "goals.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(goals), "  "), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path, catalog: KpiCatalog) -> None:
    path = write(
        tmp_path,
        """
        mrr:
          kpi: mrr
          start: 2026-01-01
          target: 250000
          path: compound
        sla:
          kpi: sla_met_rate
          start: 2026-01-01
          baseline: 88
          target: 95
          by: 2027-06-30
          split: team
          teams: [Servicedesk]
          supports: mrr
        hours:
          kpi: billable_hours
          start: 2026-01-01
          target: 30
          per: week
          split: resource
        """,
    )
    goals = load_goals(path, catalog)
    assert list(goals.goals) == ["mrr", "sla", "hours"]
    assert goals.end(goals.goals["mrr"]).isoformat() == "2030-12-31"
    assert goals.end(goals.goals["sla"]).isoformat() == "2027-06-30"


GOAL_CASES = [
    (
        "unknown KPI",
        "a:\n  kpi: sla_met_rat\n  start: 2026-01-01\n  target: 95\n",
        ":8: goals.a.kpi: unknown KPI 'sla_met_rat'. Did you mean 'sla_met_rate'?",
    ),
    (
        "an amount without per",
        "a:\n  kpi: billable_hours\n  start: 2026-01-01\n  target: 30\n",
        ":10: goals.a.target: billable_hours adds up over a period, so the target is an "
        "amount per period: add `per: year`",
    ),
    (
        "per on a rate",
        "a:\n  kpi: sla_met_rate\n  start: 2026-01-01\n  target: 95\n  per: month\n",
        ":11: goals.a.per: sla_met_rate is a level or a rate",
    ),
    (
        "a split the KPI cannot make",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  split: team\n",
        ":11: goals.a.split: mrr cannot be split by team; it can by: neither",
    ),
    (
        "supports an unknown goal",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  supports: mmr\n",
        ":11: goals.a.supports: no goal 'mmr' in this file.",
    ),
    (
        "a circle",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  supports: b\n"
        "b:\n  kpi: arr\n  start: 2026-01-01\n  target: 9\n  supports: a\n",
        ":11: goals.a.supports: goals support each other in a circle (a -> b -> a)",
    ),
    (
        "a start after the horizon",
        "a:\n  kpi: mrr\n  start: 2031-01-01\n  target: 9\n",
        ":9: goals.a.start: the goal starts (2031-01-01) after the horizon (2030-12-31)",
    ),
    (
        "by before start",
        "a:\n  kpi: mrr\n  start: 2027-01-01\n  target: 9\n  by: 2026-01-01\n",
        ":7: goals.a: Value error, `by` (2026-01-01) is before `start` (2027-01-01)",
    ),
    (
        "a compound path from 0",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  baseline: 0\n  target: 9\n  path: compound\n",
        ":7: goals.a: Value error, a compound path grows by a factor, so `baseline` must be",
    ),
    (
        "teams without split",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  teams: [Field]\n",
        ":7: goals.a: Value error, `teams` chooses whom a split goal lists",
    ),
    (
        "an unknown field",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  owner: me\n",
        ":11: goals.a.owner: unknown field 'owner'",
    ),
    (
        "a bad id",
        "Big Goal:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n",
        ":7: goals.Big Goal: a goal id is lower case letters",
    ),
    (
        "a day that does not exist",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  by: 2027-06-31\n  target: 9\n",
        ":10: invalid YAML: '2027-06-31' is not a date (day is out of range for month)",
    ),
    (
        "a goal given twice",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n"
        "a:\n  kpi: arr\n  start: 2026-01-01\n  target: 9\n",
        ":11: invalid YAML: 'a' is given twice (also on line 7); keep one",
    ),
    (
        "a target that is no number",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: .nan\n",
        ":10: goals.a.target: Input should be a finite number",
    ),
    (
        "an endless margin",
        "a:\n  kpi: mrr\n  start: 2026-01-01\n  target: 9\n  amber: .inf\n",
        ":11: goals.a.amber: Input should be a finite number",
    ),
    (
        "a start Stip cannot compute",
        "a:\n  kpi: mrr\n  start: 0001-01-01\n  target: 9\n",
        ":9: goals.a.start: Value error, 0001-01-01 is outside the dates Stip computes in "
        "(1970-01-01 up to 2199-12-31)",
    ),
    (
        "a date that is no date",
        "a:\n  kpi: mrr\n  start: next year\n  target: 9\n",
        ":9: goals.a.start: Input should be a valid date",
    ),
]


# What the company stands for (`clarity:`), after one goal; the cases are its fields.
CLARITY_HEAD = (
    HEAD
    + "  a: {kpi: mrr, start: 2026-01-01, target: 9}\n"
    + "clarity:\n  statement: {en: Your problem is our problem, nl: Uw probleem is ons probleem}\n"
)
CLARITY_CASES = [
    (
        "an unknown core KPI",
        "core_kpis: [mrr, sla_met_rat]\n",
        ":10: clarity.core_kpis.1: unknown KPI 'sla_met_rat'. Did you mean 'sla_met_rate'?",
    ),
    (
        "a core KPI named twice",
        "core_kpis:\n  - mrr\n  - arr\n  - mrr\n",
        ":13: clarity.core_kpis.2: mrr is named twice; name each core KPI once",
    ),
    (
        "too many core KPIs",
        "core_kpis: [mrr, arr, dso, kill_rate, mttr, fcr_rate, p1_incidents, csat_score]\n",
        ":10: clarity.core_kpis: List should have at most 7 items after validation, not 8",
    ),
    (
        "a guideline in one language",
        "guidelines:\n  - {en: Call back today}\n",
        ":11: clarity.guidelines.0.nl: Field required",
    ),
    (
        "an unknown clarity field",
        "values: [trust]\n",
        ":10: clarity.values: unknown field 'values'",
    ),
]
CASES = [(case, HEAD + textwrap.indent(text, "  "), message) for case, text, message in GOAL_CASES]
CASES += [
    (case, CLARITY_HEAD + textwrap.indent(text, "  "), message)
    for case, text, message in CLARITY_CASES
]
CASES.append(
    (
        "clarity without a statement",
        HEAD + "  a: {kpi: mrr, start: 2026-01-01, target: 9}\nclarity:\n  core_kpis: [mrr]\n",
        ":8: clarity.statement: Field required",
    )
)


@pytest.mark.parametrize(("case", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_names_its_line(
    tmp_path: Path, catalog: KpiCatalog, case: str, text: str, message: str
) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_goals(path, catalog)
    assert str(caught.value).startswith(f"{path}:")
    assert message in str(caught.value)


def test_a_file_that_is_not_goals(tmp_path: Path, catalog: KpiCatalog) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"goals.yaml:1: a goals file must be a mapping"):
        load_goals(path, catalog)
    path.write_bytes(HEAD.encode() + b"  a: {kpi: \xff}\n")
    with pytest.raises(DefinitionError, match=r"goals.yaml:7: not UTF-8 text"):
        load_goals(path, catalog)
    path.write_text(HEAD + "  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"goals.yaml:\d+: invalid YAML"):
        load_goals(path, catalog)


def test_the_example_in_the_docs_loads(tmp_path: Path, catalog: KpiCatalog) -> None:
    docs = Path(__file__).parents[2] / "docs" / "goals.md"
    example = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "goals.yaml"
    path.write_text(example, encoding="utf-8")
    goals = load_goals(path, catalog)
    assert list(goals.goals) == ["recurring_revenue", "happy_clients", "sla", "billable_hours"]
    assert goals.clarity is not None and goals.clarity.core_kpis == [
        "sla_met_rate",
        "csat_positive_rate",
        "same_day_entry_rate",
    ]
