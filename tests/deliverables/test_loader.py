"""A wrong deliverables file fails with file:line and what to change."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stip.deliverables.loader import load_deliverables
from stip.errors import DefinitionError
from stip.semantic.catalog import KpiCatalog, load_catalog

from .deliverables_fixture import DELIVERABLES

# line 4 is the first agreement's id, 5 its title, 6 whose, 7 `deliverables:`, 8 the first
HEAD = """\
kind: Deliverables
version: 1
agreements:
"""
TITLE = "  title: {en: A, nl: A}\n"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> KpiCatalog:
    return load_catalog(home=tmp_path_factory.mktemp("home"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deliverables.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fixture_loads(tmp_path: Path, catalog: KpiCatalog) -> None:
    spec = load_deliverables(write(tmp_path, DELIVERABLES), catalog)
    assert spec.months == 2
    assert list(spec.agreements) == ["acme", "bakker", "ghost", "old_acme", "field_partner", "bas"]
    subjects = {k: (a.subject, a.subject_id) for k, a in spec.agreements.items()}
    assert subjects == {
        "acme": ("client", 100), "bakker": ("client", 200), "ghost": ("client", 300),
        "old_acme": ("client", 100), "field_partner": ("team", 11), "bas": ("resource", 2),
    }  # fmt: skip
    acme = spec.agreements["acme"]
    assert (acme.fee, acme.credit_cap, acme.contract) == (1000.0, 10.0, "C-100")
    assert [(d.kpi, d.target, d.credit, d.bonus) for d in acme.deliverables] == [
        ("sla_met_rate", 75.0, 8.0, 2.0),
        ("tickets_created", 3.0, 5.0, 1.0),
        ("tickets_completed", 3.0, 4.0, 0.0),
    ]
    # no target written: the KPI's own (sla_met_rate's 95) applies when judged
    assert spec.agreements["bakker"].deliverables[0].target is None


def test_the_defaults(tmp_path: Path, catalog: KpiCatalog) -> None:
    body = "a:\n" + TITLE + "  resource: 7\n  deliverables:\n    - kpi: sla_met_rate\n"
    text = HEAD + textwrap.indent(body, "  ")
    spec = load_deliverables(write(tmp_path, text), catalog)
    assert spec.months == 6
    a = spec.agreements["a"]
    assert (a.subject, a.subject_id, a.start, a.end, a.fee, a.credit_cap) == (
        "resource", 7, None, None, None, None
    )  # fmt: skip
    d = a.deliverables[0]
    assert (d.title, d.target, d.credit, d.bonus) == (None, None, 0.0, 0.0)


def agreement(body: str, agreement_id: str = "a", title: bool = True) -> str:
    return f"{agreement_id}:\n" + (TITLE if title else "") + body


CASES = [
    (
        "unknown KPI",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rat\n"),
        ":8: agreements.a.deliverables.0.kpi: unknown KPI 'sla_met_rat'. Did you mean "
        "'sla_met_rate'? See `stip kpi list`.",
    ),
    (
        "unknown KPI without a near one",
        agreement("  client: 100\n  deliverables:\n    - kpi: zzz\n"),
        ":8: agreements.a.deliverables.0.kpi: unknown KPI 'zzz'. See `stip kpi list`.",
    ),
    (
        "a KPI agreed twice",
        agreement(
            "  client: 100\n  deliverables:\n    - kpi: tickets_created\n      target: 3\n"
            "    - kpi: sla_met_rate\n    - kpi: tickets_created\n      target: 4\n"
        ),
        ":11: agreements.a.deliverables.2.kpi: tickets_created is agreed twice in this agreement",
    ),
    (
        "a KPI not per client",
        agreement("  client: 100\n  deliverables:\n    - kpi: utilization\n"),
        ":8: agreements.a.deliverables.0.kpi: utilization cannot be computed per client, so it "
        "cannot be judged for one; it can be split by: resource, team",
    ),
    (
        "a KPI not per team",
        agreement("  team: 11\n  deliverables:\n    - kpi: sla_met_rate\n    - kpi: dso\n"),
        ":9: agreements.a.deliverables.1.kpi: dso cannot be computed per team, so it cannot be "
        "judged for one; it can be split by: company",
    ),
    (
        "a KPI not split at all",
        agreement("  resource: 2\n  deliverables:\n    - kpi: endpoints_per_tech\n"),
        ":8: agreements.a.deliverables.0.kpi: endpoints_per_tech cannot be computed per "
        "resource, so it cannot be judged for one; it can be split by: nothing",
    ),
    (
        "no target on a KPI without one",
        agreement("  client: 100\n  deliverables:\n    - kpi: tickets_created\n      credit: 5\n"),
        ":8: agreements.a.deliverables.0.target: tickets_created has no target of its own; "
        "write the agreed value as `target:`",
    ),
    (
        "no client, resource or team",
        agreement("  deliverables:\n    - kpi: sla_met_rate\n"),
        ":4: agreements.a: Value error, name exactly one of `client`, `resource` or `team` (a "
        "PSA id): whose figures the agreement is judged on (given: none)",
    ),
    (
        "a client and a team",
        agreement("  client: 100\n  team: 11\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":4: agreements.a: Value error, name exactly one of `client`, `resource` or `team` (a "
        "PSA id): whose figures the agreement is judged on (given: client, team)",
    ),
    (
        "end before start",
        agreement(
            "  client: 100\n  start: 2026-06-01\n  end: 2026-05-31\n  deliverables:\n"
            "    - kpi: sla_met_rate\n"
        ),
        ":4: agreements.a: Value error, `end` (2026-05-31) is before `start` (2026-06-01)",
    ),
    (
        "a bad agreement id",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n", "Big Deal"),
        ":4: agreements.Big Deal: an agreement id is lower case letters, digits, '_' and '-'",
    ),
    (
        "an id starting with a digit",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n", "1st"),
        ":4: agreements.1st: an agreement id is lower case letters, digits, '_' and '-'",
    ),
    (
        "a credit above 100",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n      credit: 150\n"),
        ":9: agreements.a.deliverables.0.credit: Input should be less than or equal to 100",
    ),
    (
        "a negative bonus",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n      bonus: -1\n"),
        ":9: agreements.a.deliverables.0.bonus: Input should be greater than or equal to 0",
    ),
    (
        "a credit cap above 100",
        agreement("  client: 100\n  credit_cap: 101\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":7: agreements.a.credit_cap: Input should be less than or equal to 100",
    ),
    (
        "a negative fee",
        agreement("  client: 100\n  fee: -5\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":7: agreements.a.fee: Input should be greater than or equal to 0",
    ),
    (
        "a fee beyond any real one (1e308 made the JSON invalid)",
        agreement("  client: 100\n  fee: 1e308\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":7: agreements.a.fee: Input should be less than or equal to 1000000000",
    ),
    (
        "a client id the store cannot hold (crashed show, the page and the warm-up)",
        agreement("  client: 99999999999999999999999\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":6: agreements.a.client: Input should be less than or equal to 9223372036854775807",
    ),
    (
        "a negative team id",
        agreement("  team: -5\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":6: agreements.a.team: Input should be greater than or equal to 0",
    ),
    (
        "true is no resource id",
        agreement("  resource: true\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":6: agreements.a.resource: Input should be a valid integer",
    ),
    (
        "no deliverables",
        agreement("  client: 100\n  deliverables: []\n"),
        ":7: agreements.a.deliverables: List should have at least 1 item after validation, not 0",
    ),
    (
        "no title",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n", title=False),
        ":4: agreements.a.title: Field required",
    ),
    (
        "an unknown field",
        agreement("  client: 100\n  owner: me\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":7: agreements.a.owner: unknown field 'owner'",
    ),
    (
        "an agreement given twice",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n")
        + agreement("  client: 200\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":9: invalid YAML: 'a' is given twice (also on line 4); keep one",
    ),
    (
        "a key given twice in a deliverable",
        agreement(
            "  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n      target: 90\n"
            "      target: 95\n"
        ),
        ":10: invalid YAML: 'target' is given twice (also on line 9); keep one",
    ),
    (
        "a target that is no number",
        agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n      target: .nan\n"),
        ":9: agreements.a.deliverables.0.target: Input should be a finite number",
    ),
    (
        "a day that does not exist",
        agreement("  client: 100\n  start: 2026-02-30\n  deliverables:\n    - kpi: sla_met_rate\n"),
        ":7: invalid YAML: '2026-02-30' is not a date (day is out of range for month)",
    ),
]


@pytest.mark.parametrize(("case", "body", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_names_its_line(
    tmp_path: Path, catalog: KpiCatalog, case: str, body: str, message: str
) -> None:
    path = write(tmp_path, HEAD + textwrap.indent(body, "  "))
    with pytest.raises(DefinitionError) as caught:
        load_deliverables(path, catalog)
    assert str(caught.value).startswith(f"{path}:")
    assert message in str(caught.value)


def test_the_first_agreement_that_is_wrong_is_named(tmp_path: Path, catalog: KpiCatalog) -> None:
    """A good agreement, then a wrong one: the line is the second's."""
    body = agreement("  client: 100\n  deliverables:\n    - kpi: sla_met_rate\n") + agreement(
        "  client: 200\n  deliverables:\n    - kpi: utilization\n", "b"
    )
    path = write(tmp_path, HEAD + textwrap.indent(body, "  "))
    with pytest.raises(DefinitionError, match=r"deliverables.yaml:13: agreements\.b\.deliverables"):
        load_deliverables(path, catalog)


FILE_CASES = [
    (
        "months 0",
        "kind: Deliverables\nversion: 1\nmonths: 0\nagreements: {}\n",
        ":3: months: Input should be greater than or equal to 1",
    ),
    (
        "months above 36",
        "kind: Deliverables\nversion: 1\nmonths: 37\nagreements: {}\n",
        ":3: months: Input should be less than or equal to 36",
    ),
    (
        "no agreements",
        "kind: Deliverables\nversion: 1\nagreements: {}\n",
        ":3: agreements: Dictionary should have at least 1 item after validation, not 0",
    ),
    (
        "another kind",
        "kind: Goals\nversion: 1\nagreements: {}\n",
        ":1: kind: Input should be 'Deliverables'",
    ),
    (
        "another version",
        "kind: Deliverables\nversion: 2\nagreements: {}\n",
        ":2: version: Input should be 1",
    ),
    (
        "a list",
        "- just\n- a list\n",
        ":1: a deliverables file must be a mapping (kind: Deliverables)",
    ),
    (
        "an empty file",
        "",
        ":1: a deliverables file must be a mapping (kind: Deliverables)",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_each_mistake_in_the_file_names_its_line(
    tmp_path: Path, catalog: KpiCatalog, case: str, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        load_deliverables(path, catalog)
    assert str(caught.value) == f"{path}{message}"


def test_a_file_that_cannot_be_read(tmp_path: Path, catalog: KpiCatalog) -> None:
    path = tmp_path / "deliverables.yaml"
    path.write_bytes(HEAD.encode() + b"  a: {title: \xff}\n")
    with pytest.raises(DefinitionError, match=r"deliverables.yaml:4: not UTF-8 text"):
        load_deliverables(path, catalog)
    path.write_text(HEAD + "  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"deliverables.yaml:\d+: invalid YAML"):
        load_deliverables(path, catalog)


def test_the_example_in_the_docs_loads(tmp_path: Path, catalog: KpiCatalog) -> None:
    docs = Path(__file__).parents[2] / "docs" / "deliverables.md"
    example = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "deliverables.yaml"
    path.write_text(example, encoding="utf-8")
    spec = load_deliverables(path, catalog)
    linde = spec.agreements["linde"]
    assert (spec.months, linde.client, linde.fee, linde.credit_cap) == (6, 1030, 4500.0, 10.0)
    assert [d.kpi for d in linde.deliverables] == [
        "sla_response_compliance", "csat_positive_rate", "reactive_tickets_per_user"
    ]  # fmt: skip
