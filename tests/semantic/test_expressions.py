"""KPI expressions are data: checking one must never run anything but building the expression."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stip.semantic.expressions import ExpressionError, check_expression

# Each refused text, with what the message must say.
REFUSED = [
    # Ibis methods that read or write outside the KPI's query
    ('coalesce("x", "y").name("x").to_csv("/tmp/owned.sh") == 1', "'to_csv' is not one of"),
    ('date("2026-01-01").execute()', "'execute' is not one of"),
    ("_.title.to_pyarrow()", "'to_pyarrow' is not one of"),
    # Python's str.format on a constant reaches module globals without a `_` attribute
    ('coalesce("{0.__globals__}".format(interval), "x")', "'format' is not one of"),
    ('"abc".upper() == _.title', "not on a constant"),
    ("csat_scale_max.hex()", "'hex' is not one of"),
    ("[1, 2].index(1)", "not on a constant"),
    # values that take forever or all memory to build
    ("_.priority == 9**9**9", "** is not allowed"),
    ("_.priority == 1 << 100000", "<< is not allowed"),
    ('_.title == "a" * 100000', "texts and lists cannot be combined"),
    ("_.priority.isin([1] * 100000)", "texts and lists cannot be combined"),
    ('_.title == ("a" + "") * 1000000000', "texts and lists cannot be combined"),
    ('_.title == "%0*d" % (1000000000, 1)', "texts and lists cannot be combined"),
    ('("a" + "b").replace("a", "aa") == _.title', "'.replace' works on columns and function"),
    # a column is no method: `_.to_csv(...)` would call the table's own
    ('_.to_csv("/tmp/owned.sh")', "_.to_csv is a column; a column cannot be called"),
    ("_.execute()", "_.execute is a column; a column cannot be called"),
    ("_.priority == 12345678901234567890", "too large"),
    ("_.title == '" + "x" * 1001 + "'", "longer than 1000"),
    # calls of anything but the listed functions and column methods
    ("_(1)", "only the listed functions"),
    ("coalesce(_.a, 1)(2)", "only the listed functions"),
    ("coalesce(**_.kwargs)", "** arguments"),
    ("_.a < _.b < _.c", "compare two values at a time"),
    ("_.a == 1j", "not a number, text"),
    ("_.a == b'x'", "not a number, text"),
    ("_.a[0]", "Subscript is not allowed"),
    ("_.a.__class__", "private attribute"),
    ("__import__('os')", "only the listed functions"),
    ("open", "unknown name 'open'"),
    ("_.a and _.b", "use & | ~"),
    ("lambda: 1", "Lambda is not allowed"),
    ("[i for i in _]", "ListComp is not allowed"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_expressions_outside_the_allow_lists_are_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        check_expression(text)


@pytest.mark.parametrize(
    "text",
    [
        "_.completed_date.isnull() | (_.completed_date >= period_end)",
        "coalesce(_.end_date_time, _.start_date_time) < as_of",
        "_.survey_rating < 0.6 * csat_scale_max",
        "_.create_date.day_of_week.index() < 5",
        "_.create_date.date() == as_of.date()",
        "_.title.lower().contains('printer') & ~_.title.isnull()",
        "(_.hours_worked * 60).round() > 15",
        "_.priority.isin([1, 2]) | _.queue_id.notin((3, 4))",
        "_.date_worked >= as_of_date - interval(days=7)",
        "-_.hours_worked < 0",
        "_.hours_worked * 60 * 60 > 15",
        "coalesce(_.title, 'none') + ' (PSA)' == _.title",
        "date('2026-01-01').year() == _.create_date.year()",
    ],
)
def test_expressions_within_the_allow_lists_are_accepted(text: str) -> None:
    check_expression(text)


EXPLOIT = """\
kpis:
  - id: evil
    name: {{en: X, nl: X}}
    description: {{en: d, nl: d}}
    formula: {{en: f, nl: f}}
    unit: count
    direction: higher_better
    group: ticket_flow
    roles: [owner]
    measure:
      type: count
      base: tickets
      where:
        - >-
          (_.priority == 1) | (coalesce("echo owned", "x").name("x").to_csv("{target}") == 1)
"""


def test_validating_a_hostile_kpi_file_writes_nothing(tmp_path: Path) -> None:
    """The audit's reproduction: `stip kpi validate` on this folder wrote the file."""
    target = tmp_path / "owned.sh"
    folder = tmp_path / "kpis"
    folder.mkdir()
    (folder / "k.yaml").write_text(textwrap.dedent(EXPLOIT.format(target=target)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env["STIP_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "stip", "kpi", "validate", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"{folder / 'k.yaml'}:14: KPI evil: measure.where:" in done.stderr
    assert "'to_csv' is not one of the column methods" in done.stderr
    assert not target.exists()
