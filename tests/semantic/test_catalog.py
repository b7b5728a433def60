from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stip.errors import DefinitionError, QueryError
from stip.semantic.catalog import BUILTIN_DIR, load_catalog, validate_dirs

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
        ":45: KPI bad_column: measure: 'created_at' is not a column of tickets" in m for m in mine
    )
    assert any(":45: KPI bad_column: expression '_.nope > 1' does not fit" in m for m in mine)
    assert any(
        "targets: unknown KPI 'sla_met_rat'. Did you mean 'sla_met_rate'?" in m for m in mine
    )


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "defs", "broken.yaml", "kpis:\n  - id: x\n    name: [unclosed\n")
    _, issues = validate_dirs([tmp_path / "defs"])
    assert len(issues) == 1 and issues[0].file == str(path) and issues[0].line >= 3
    assert "YAML syntax" in issues[0].message


def test_a_key_given_twice_is_an_error_with_its_line(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys; a KPI file would lose the first silently."""
    text = "targets:\n  sla_met_rate: {target: 90}\n  sla_met_rate: {target: 80}\n"
    path = _write(tmp_path / "defs", "twice.yaml", text)
    _, issues = validate_dirs([tmp_path / "defs"])
    assert len(issues) == 1 and issues[0].file == str(path) and issues[0].line == 3
    assert "'sla_met_rate' is given twice (also on line 2); keep one" in issues[0].message


def test_load_catalog_raises_one_definition_error(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "x.yaml", "kpis: 3\n")
    with pytest.raises(DefinitionError, match=r"x.yaml:1: kpis: must be a list"):
        load_catalog(home=tmp_path)


def test_get_suggests_a_close_id() -> None:
    catalog, _ = validate_dirs([BUILTIN_DIR])
    with pytest.raises(QueryError, match="Did you mean 'open_backlog'"):
        catalog.get("open_backlg")


RATIO = """\
  - id: {id}
    name: {{en: R, nl: R}}
    description: {{en: d, nl: d}}
    formula: {{en: f, nl: f}}
    unit: "%"
    direction: higher_better
    group: ticket_flow
    roles: [owner]
    measure: {{type: ratio, numerator: {num}, denominator: tickets_created}}
"""


def test_ratios_in_a_circle_are_a_definition_error(tmp_path: Path) -> None:
    """They passed validation and then made every command recurse until it crashed."""
    kpis = [("ra", "rb"), ("rb", "rc"), ("rc", "ra"), ("me", "me"), ("fine", "ra")]
    text = "kpis:\n" + "".join(RATIO.format(id=i, num=n) for i, n in kpis)
    path = _write(tmp_path / "kpis", "c.yaml", text)
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    circle = "measure: ratios refer to each other in a circle"
    assert [str(i) for i in issues] == [
        f"{path}:10: KPI ra: {circle} (ra -> rb -> rc -> ra); {TAIL}",
        f"{path}:19: KPI rb: {circle} (rb -> rc -> ra -> rb); {TAIL}",
        f"{path}:28: KPI rc: {circle} (rc -> ra -> rb -> rc); {TAIL}",
        f"{path}:37: KPI me: {circle} (me -> me); {TAIL}",
    ]


TAIL = "a ratio's numerator and denominator must end in KPIs that are not ratios"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "sla_met_rate: {target: 90, amber: 95}",
            "targets.sla_met_rate: `amber` (95.0) must be on the bad side of `target` (90.0) "
            "for a higher_better KPI (the KPI's own: target 95.0, amber 90.0)",
        ),
        (
            "sla_met_rate: {target: 85}",
            "targets.sla_met_rate: `amber` (90.0) must be on the bad side of `target` (85.0) "
            "for a higher_better KPI (the KPI's own: target 95.0, amber 90.0)",
        ),
        (
            "tickets_created: {amber: 100}",
            "targets.tickets_created: `amber` needs a `target` (the KPI's own: no target)",
        ),
        (
            "time_entry_compliance: {ceiling: 85}",
            "targets.time_entry_compliance: `ceiling` (85.0) must be above `target` (90.0) "
            "(the KPI's own: target 90.0, amber 80.0)",
        ),
        (
            "tickets_created: {target: 10, ceiling: 20}",
            "targets.tickets_created: `ceiling` needs a `target` and "
            "`direction: higher_better` (the KPI's own: no target)",
        ),
    ],
)
def test_target_overrides_follow_the_threshold_rules(
    tmp_path: Path, override: str, message: str
) -> None:
    """Overrides were copied in unchecked: amber on the good side gave wrong status colours."""
    path = _write(tmp_path / "kpis", "t.yaml", f"targets:\n  {override}\n")
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert [str(i) for i in issues] == [f"{path}:2: {message}"]


def test_a_valid_override_keeps_the_rest_of_the_definition(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "t.yaml", "targets:\n  first_response_hours_median: {target: 3}\n")
    catalog, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    builtin, _ = validate_dirs([BUILTIN_DIR])
    assert issues == []
    kpi, shipped = (
        catalog.get("first_response_hours_median"),
        builtin.get("first_response_hours_median"),
    )
    assert (kpi.target, kpi.amber) == (3.0, shipped.amber)
    assert kpi.model_copy(update={"target": shipped.target}) == shipped
    assert kpi.source == shipped.source


MEASURE = """\
kpis:
  - id: typed
    name: {{en: T, nl: T}}
    description: {{en: d, nl: d}}
    formula: {{en: f, nl: f}}
    unit: count
    direction: higher_better
    group: ticket_flow
    roles: [owner]
    measure: {measure}
"""


@pytest.mark.parametrize(
    ("measure", "message"),
    [
        (
            '{type: count, base: tickets, where: ["_.priority"]}',
            "expression '_.priority' gives int64, but here it must give a true/false condition",
        ),
        (
            "{type: count, base: tickets, where: ['\"abc\"']}",
            "expression '\"abc\"' gives string, but here it must give a true/false condition",
        ),
        (
            '{type: share, base: tickets, condition: "_.priority"}',
            "expression '_.priority' gives int64, but here it must give a true/false condition",
        ),
        (
            "{type: count, base: tickets, time: priority}",
            "measure.time: 'priority' is not a date or time column",
        ),
        (
            '{type: sum, base: tickets, value: "_.title"}',
            "expression '_.title' gives string, but here it must give a number",
        ),
        (
            '{type: median, base: tickets, value: "_.completed_date"}',
            "expression '_.completed_date' gives timestamp, but here it must give a number",
        ),
        (
            "{type: mean, base: tickets, business_hours: {from: priority, to: completed_date}}",
            "measure.business_hours: 'priority' is not a timestamp column",
        ),
        (
            "{type: sum, base: time_entries, "
            "business_hours: {from: date_worked, to: end_date_time}}",
            "measure.business_hours: 'date_worked' is not a timestamp column",
        ),
    ],
)
def test_measures_of_the_wrong_type_are_definition_errors(
    tmp_path: Path, measure: str, message: str
) -> None:
    """They passed `stip kpi validate` and then failed with exit 2 / HTTP 500, or (business
    hours from a number) gave a made-up figure."""
    path = _write(tmp_path / "kpis", "k.yaml", MEASURE.format(measure=measure))
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert [str(i) for i in issues] == [f"{path}:10: KPI typed: {message}"]


def test_count_distinct_counts_values_of_any_type(tmp_path: Path) -> None:
    measure = '{type: count_distinct, base: tickets, value: "_.title"}'
    _write(tmp_path / "kpis", "k.yaml", MEASURE.format(measure=measure))
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert issues == []


ACTIONS = """\
kpis:
  - id: late
    name: {{en: Late, nl: Laat}}
    description: {{en: d, nl: d}}
    formula: {{en: f, nl: f}}
    unit: count
    direction: lower_better
    group: ticket_flow
    roles: [owner]
    measure: {{type: count, base: tickets, where: ["_.due_date_time < as_of"]}}
    actions:
      fields: [ticket_number, due_date_time]
      what: {{en: "Work on {{ticket_number}}", nl: "{what_nl}"}}
      why: {{en: "Due {{due_date_time}}", nl: "Vervaldatum {{due_date_time}}"}}
"""


@pytest.mark.parametrize(
    ("what_nl", "message"),
    [
        ("Pak {ticket_nummer} op", "what.nl: unknown field '{ticket_nummer}'; a row has company,"),
        ("Pak {ticket_number op", "what.nl: expected '}' before end of string (write {{ and }}"),
    ],
)
def test_action_texts_name_only_what_a_row_has(tmp_path: Path, what_nl: str, message: str) -> None:
    """A misspelled name passed validation and showed as "—" in every row."""
    _write(tmp_path / "kpis", "k.yaml", ACTIONS.format(what_nl=what_nl))
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert len(issues) == 1 and f"k.yaml:13: KPI late: actions: {message}" in str(issues[0])


def test_action_texts_with_known_names_pass(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "k.yaml", ACTIONS.format(what_nl="Pak {ticket_number} op ({person})"))
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert issues == []


FUNCTION_ACTIONS = """\
kpis:
  - id: loaded
    name: {{en: Loaded, nl: Belast}}
    description: {{en: d, nl: d}}
    formula: {{en: f, nl: f}}
    unit: count
    direction: lower_better
    group: people
    roles: [teamlead]
    measure: {{type: function, function: overloaded_engineers}}
    actions:
{actions}
      what: {{en: "Share out tickets of {{person}}", nl: "Verdeel tickets van {{person}}"}}
      why: {{en: "Too many", nl: "Te veel"}}
"""


@pytest.mark.parametrize(
    ("actions", "line", "message"),
    [
        (
            "      function: overloaded_engineer",
            12,
            "actions: 'overloaded_engineer' is not a registered action list function. "
            "Did you mean 'overloaded_engineers'?",
        ),
        (
            "      function: overloaded_engineers\n      where: ['_.id > 1']",
            13,
            "actions: `where` does not go with `function` (the function picks the records)",
        ),
        (
            "      function: overloaded_engineers\n      base: tickets",
            13,
            "actions: function overloaded_engineers lists records of resources, not tickets",
        ),
        (
            "      function: overloaded_engineers\n      fields: [open_ticket]",
            13,
            "actions: 'open_ticket' is not a column of function overloaded_engineers",
        ),
    ],
)
def test_action_list_functions_are_checked(
    tmp_path: Path, actions: str, line: int, message: str
) -> None:
    path = _write(tmp_path / "kpis", "k.yaml", FUNCTION_ACTIONS.format(actions=actions))
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert [str(i) for i in issues] == [f"{path}:{line}: KPI loaded: {message}"]


def test_catalogue_problems_point_at_their_field(tmp_path: Path) -> None:
    """They all pointed at the KPI's first line, however far the field was."""
    text = (
        MEASURE.format(measure="").rstrip()
        + """
      type: count
      base: tickets
      time: created_at
      where:
        - "_.priority == 1"
        - "_.queu_id == 5"
    actions:
      fields: [ticket_number, titel]
      what: {en: "Work on {ticket_number}", nl: "Pak {ticket_nummer} op"}
      why: {en: d, nl: d}
"""
    )
    path = _write(tmp_path / "kpis", "k.yaml", text)
    _, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    found = {(i.line, str(i).split(": ", 2)[2][:40]) for i in issues}
    assert found == {
        (13, "measure: 'created_at' is not a column of"),
        (16, "expression '_.queu_id == 5' does not fit"),
        (18, "actions: 'titel' is not a column of tick"),
        (19, "actions: what.nl: unknown field '{ticket"),
    }, path


@pytest.mark.parametrize(
    ("value", "status"),
    [(75.0, "red"), (85.0, "amber"), (90.0, "green"), (110.0, "green"), (185.0, "amber")],
)
def test_a_ceiling_makes_too_much_amber(value: float, status: str) -> None:
    """Time-entry completeness: target 90, amber 80, ceiling 110 (185 % logged is no feat)."""
    kpi = load_catalog().get("time_entry_compliance")
    assert kpi.status(value, kpi.target, kpi.amber) == status


def test_a_ceiling_can_be_overridden(tmp_path: Path) -> None:
    _write(tmp_path / "kpis", "t.yaml", "targets:\n  time_entry_compliance: {ceiling: 200}\n")
    catalog, issues = validate_dirs([BUILTIN_DIR, tmp_path / "kpis"])
    assert issues == []
    kpi = catalog.get("time_entry_compliance")
    assert (kpi.ceiling, kpi.status(185.0, kpi.target, kpi.amber)) == (200.0, "green")
