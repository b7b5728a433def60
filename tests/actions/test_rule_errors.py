"""A broken user rule file is a user error: exit 1, one line `file:line: field: message`.

Wrong param types and ranges, format codes in the texts, a file that is not UTF-8 and a YAML
syntax error used to crash the evaluation (exit 2, a traceback) or print a multi-line PyYAML
dump. They are found when the rule file loads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.actions.rules import load_rules, parse_rule
from stip.app import Stip
from stip.errors import DefinitionError

from .run import run_stip

SHIPPED = Path(__file__).parents[2] / "src/stip/defaults/rules"


def _edited(name: str, old: str, new: str) -> str:
    text = (SHIPPED / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {name}"
    return text.replace(old, new)


def _one_error_line(world: Stip, file: Path) -> str:
    """Evaluate with the broken file in place; the single stderr line after 'error: '."""
    done = run_stip("actions", "evaluate", "--as-of", "2026-04-28T10:30")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith(f"error: {file}:"), lines[0]
    return lines[0].removeprefix("error: ")


@pytest.mark.parametrize(
    ("name", "old", "new", "where"),
    [
        ("csat_low_callback.yaml", "days: 7", "days: seven", "17: params.days: "),
        (
            "csat_low_callback.yaml",
            "below_share: 0.6",
            'below_share: "x"',
            "18: params.below_share: ",
        ),
        (
            "late_time_booking.yaml",
            'check_time: "10:00"',
            'check_time: "25:00"',
            "12: params.check_time: ",
        ),
        ("contract_renewal.yaml", "within_days: 60", "within_days: -5", "11: params.within_days: "),
        ("overdue_ticket.yaml", "was due {ticket_due}", "was due {ticket_due:%Y}", "11: why.en: "),
        ("overdue_ticket.yaml", "op {ticket_due}", "op {ticket_due!x}", "12: why.nl: "),
    ],
    ids=["days-word", "share-string", "time-25h", "negative-days", "format-spec", "conversion"],
)
def test_bad_params_and_format_codes_are_one_line_errors(
    world: Stip, name: str, old: str, new: str, where: str
) -> None:
    rules = world.settings.home / "rules"
    rules.mkdir()
    file = rules / name
    file.write_text(_edited(name, old, new), encoding="utf-8")
    line = _one_error_line(world, file)
    assert line.startswith(f"{file}:{where}"), line


def test_bad_param_message_says_what_and_how_to_fix(world: Stip) -> None:
    rules = world.settings.home / "rules"
    rules.mkdir()
    file = rules / "csat.yaml"
    file.write_text(_edited("csat_low_callback.yaml", "days: 7", "days: seven"), encoding="utf-8")
    assert _one_error_line(world, file) == (
        f"{file}:17: params.days: Input should be a valid number, got 'seven'; "
        "days is the look-back in days, > 0 (default 7)"
    )


def test_a_rule_file_that_is_not_utf8_is_named(world: Stip) -> None:
    rules = world.settings.home / "rules"
    rules.mkdir()
    file = rules / "mine.yaml"
    file.write_bytes(b"id: mine\n\xff\xfe bad\n")
    assert _one_error_line(world, file) == (
        f"{file}:2: not UTF-8 text (byte 0xff at offset 9); save the file as UTF-8"
    )


def test_a_yaml_syntax_error_is_one_line_with_the_problem_line(world: Stip) -> None:
    rules = world.settings.home / "rules"
    rules.mkdir()
    file = rules / "overdue.yaml"
    # the closing quote of title.nl (line 6) is missing; the parser notices on line 11
    file.write_text(
        _edited(
            "overdue_ticket.yaml", '"Over tijd: {ticket_number}"', '"Over tijd: {ticket_number}'
        ),
        encoding="utf-8",
    )
    assert _one_error_line(world, file) == (
        f"{file}:11: invalid YAML: expected <block end>, but found '<scalar>'"
    )


# in-process checks of more cases (fast; the CLI turns DefinitionError into the line above)


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "csat_low_callback.yaml",
            "days: 7",
            "days: yes",
            "17: params.days: Input should be a valid number, got True",
        ),
        (
            "csat_low_callback.yaml",
            "days: 7",
            "days: .inf",
            "17: params.days: Input should be a finite number",
        ),
        (
            "csat_low_callback.yaml",
            "days: 7",
            "days: 0",
            "17: params.days: Input should be greater than 0",
        ),
        (
            "csat_low_callback.yaml",
            "below_share: 0.6",
            "below_share: 6",
            "18: params.below_share: Input should be less than or equal to 1",
        ),
        (
            "csat_low_callback.yaml",
            "below_share: 0.6",
            "below_share: null",
            "18: params.below_share: Input should be a valid number",
        ),
        (
            "late_time_booking.yaml",
            'check_time: "10:00"',
            "check_time: 10:00",
            '12: params.check_time: write the time in quotes, e.g. "10:00"',
        ),
        (
            "late_time_booking.yaml",
            'check_time: "10:00"',
            'check_time: "10:00+01:00"',
            "12: params.check_time: '10:00+01:00' is not a local time of day",
        ),
        (
            "late_time_booking.yaml",
            "active_within_days: 28",
            "active_within_days: 2.5",
            "13: params.active_within_days: Input should be a valid integer",
        ),
        (
            "late_time_booking.yaml",
            "min_share: 0.8",
            "min_share: -1",
            "11: params.min_share: Input should be greater than 0",
        ),
        (
            "sla_breach_soon.yaml",
            "within_business_hours: 2",
            "within_business_hours: -2",
            "11: params.within_business_hours: Input should be greater than 0",
        ),
        (
            "no_customer_update.yaml",
            "business_hours: 27",
            "business_hours: 1.0e+9",
            "11: params.business_hours: Input should be less than or equal to 2400",
        ),
        (
            "loss_making_client.yaml",
            "min_hours: 1.0",
            "min_hours: -1",
            "11: params.min_hours: Input should be greater than or equal to 0",
        ),
        (
            "unbilled_time.yaml",
            "grace_business_days: 3",
            "grace_business_days: -3",
            "11: params.grace_business_days: Input should be greater than or equal to 0",
        ),
        (
            "overdue_ticket.yaml",
            "deadline_business_hours: 4",
            "deadline_business_hours: 1e12",
            "9: deadline_business_hours: Input should be less than or equal to 2400",
        ),
        (
            "overdue_ticket.yaml",
            "was due {ticket_due}",
            "was due {ticket_due!r}",
            "11: why.en: conversion '!r' in '{ticket_due!r}' is not supported",
        ),
        (
            "overdue_ticket.yaml",
            "was due {ticket_due}",
            "was due {ticket_due:>20}",
            "11: why.en: format spec ':>20' in '{ticket_due:>20}' is not supported",
        ),
        (
            "overdue_ticket.yaml",
            "was due {ticket_due}",
            "was due {}",
            "11: why.en: empty placeholder '{}'",
        ),
        (
            "overdue_ticket.yaml",
            "was due {ticket_due}",
            "was due {ticket_due.year}",
            "11: why.en: unknown fact '{ticket_due.year}'",
        ),
        (
            "overdue_ticket.yaml",
            "kind: overdue",
            "kind: overdue\x07",
            "3: invalid YAML: character #x0007 is not allowed",
        ),
    ],
)
def test_parse_rule_rejects(name: str, old: str, new: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_rule(_edited(name, old, new), "mine.yaml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"mine.yaml:{expected}"), message


def test_valid_params_load_typed_and_defaults_stay() -> None:
    rules = {rule.id: rule for rule in load_rules(None)}
    csat = rules["csat_low_callback"]
    assert (csat.param("days"), csat.param("below_share")) == (7, 0.6)
    late = rules["late_time_booking"]
    assert late.param("check_time") == "10:00" and late.param("active_within_days") == 28
    renewal = parse_rule(
        _edited("contract_renewal.yaml", "params:\n  within_days: 60\n", ""), "mine.yaml"
    )
    assert renewal.params == {} and renewal.param("within_days") == 60
    tuned = parse_rule(
        _edited("late_time_booking.yaml", 'check_time: "10:00"', 'check_time: "09:30"'), "x.yaml"
    )
    assert tuned.param("check_time") == "09:30"


def test_unreadable_rule_file_is_a_user_error(stip_home: Path) -> None:
    (stip_home / "rules" / "folder.yaml").mkdir(parents=True)
    with pytest.raises(DefinitionError, match=r"folder\.yaml:1: cannot read the rule file: "):
        load_rules(stip_home)
