"""Action rules: declarative YAML files that turn records into action items.

Shipped rules live in `stip/defaults/rules/*.yaml`; users add or tune rules in
`$STIP_HOME/rules/*.yaml` (a user file with the same `id` replaces the shipped rule). A rule
names a *kind* (the record selection, implemented in `stip.actions.selectors`), its
parameters, who acts, the deadline in business hours, the optional escalation, and the
"why" and "what to do" texts in Dutch and English with `{fact}` placeholders.
"""

from __future__ import annotations

import string
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from yaml.reader import ReaderError

from stip.errors import DefinitionError
from stip.yamllines import Loader

Who = Literal[
    "assigned_engineer",
    "team_lead",
    "account_manager",
    "resource",
    "finance",
    "owner",
    "service_manager",
    "teamlead",
    "account_manager_role",
]
ROLE_ASSIGNEES = {"finance", "owner", "service_manager", "teamlead"}

MAX_BUSINESS_HOURS = 2400.0  # about a year of business days; the calendar ends in 2200
MAX_DAYS = 3660  # ten years


def _time_of_day(value: object) -> str:
    """A local clock time as the selectors read it (`time.fromisoformat`), e.g. "10:00"."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'write the time in quotes, e.g. "10:00" (YAML reads an unquoted time such as '
            f"10:00 as a number, here {value})"
        )
    if not isinstance(value, str):
        raise ValueError(f'expected a time of day in quotes such as "10:00", got {value!r}')
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:
        raise ValueError(f'{value!r} is not a local time of day; write HH:MM, e.g. "10:00"')
    return value


TimeOfDay = Annotated[str, BeforeValidator(_time_of_day)]


class RuleParams(BaseModel):
    """Base of a selector's `params`: typed, range-checked when the rule file loads.

    Strict: YAML `seven`, `"7"` or `yes` is not a number; infinities are refused too.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Texts(BaseModel):
    """One text in both interface languages."""

    model_config = ConfigDict(extra="forbid")

    en: str
    nl: str

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    after_business_hours: float = Field(gt=0, le=MAX_BUSINESS_HOURS)
    to: Who = "team_lead"


class Rule(BaseModel):
    """One action rule; see docs/actions.md for every field."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str
    enabled: bool = True
    title: Texts
    who: Who
    fallback: Who | None = "teamlead"
    urgent: bool = False
    deadline_business_hours: float | None = Field(None, ge=0, le=MAX_BUSINESS_HOURS)
    escalate: Escalation | None = None
    auto_resolve: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    why: Texts
    todo: Texts

    def param(self, name: str) -> Any:
        """A param's (validated) value, else the kind's default."""
        from stip.actions.selectors import SELECTORS

        return self.params.get(name, SELECTORS[self.kind].defaults[name])


def semantic_error(rule: Rule) -> tuple[tuple[str, ...], str] | None:
    """The first problem a schema cannot see: unknown kind, bad params or text placeholders.

    Valid params are replaced by their typed values (`RuleParams` of the rule's kind).
    """
    from stip.actions.selectors import SELECTORS

    if rule.kind not in SELECTORS:
        return ("kind",), f"unknown kind '{rule.kind}'; known: {', '.join(sorted(SELECTORS))}"
    selector = SELECTORS[rule.kind]
    for name in rule.params:
        if name not in selector.defaults:
            return ("params", name), (
                f"unknown param '{name}' for kind '{rule.kind}'; known: "
                f"{', '.join(sorted(selector.defaults)) or 'none'}"
            )
    problem = _params_error(rule, selector.params)
    if problem:
        return problem
    allowed = set(selector.facts) | {"scale"}
    for name in ("title", "why", "todo"):
        texts: Texts = getattr(rule, name)
        for lang in ("en", "nl"):
            message = _template_error(texts.get(lang), allowed, rule.kind)
            if message:
                return (name, lang), message
    return None


def _params_error(rule: Rule, model: type[RuleParams]) -> tuple[tuple[str, ...], str] | None:
    """Validate `rule.params` against the kind's model; on success keep the typed values."""
    try:
        typed = model.model_validate(rule.params)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] != "value_error":
            message += f", got {first['input']!r}"
        field = model.model_fields.get(name)
        if field is not None:
            message += f"; {name} is {field.description} (default {field.default!r})"
        return ("params", name), message
    rule.params = typed.model_dump(exclude_unset=True)
    return None


def _template_error(text: str, allowed: set[str], kind: str) -> str | None:
    """Why `text` cannot be rendered with `str.format_map` of the facts (all plain text)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"bad placeholder in '{text}': {exc}; write '{{{{' and '}}}}' for a literal brace"
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if not field_name:
            return f"empty placeholder '{{}}' in '{text}'; name a fact, e.g. '{{company}}'"
        if field_name not in allowed:
            return (
                f"unknown fact '{{{field_name}}}'; kind '{kind}' has: {', '.join(sorted(allowed))}"
            )
        if conversion:
            return (
                f"conversion '!{conversion}' in '{{{field_name}!{conversion}}}' is not supported; "
                f"facts are ready-formatted text: write '{{{field_name}}}'"
            )
        if spec:
            return (
                f"format spec ':{spec}' in '{{{field_name}:{spec}}}' is not supported; "
                f"facts are ready-formatted text: write '{{{field_name}}}'"
            )
    return None


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at a pydantic error location."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def _load(text: str) -> Any:
    """The data, read by the definition files' safe loader (a key given twice or a date
    that does not exist is an error)."""
    loader = Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_rule(text: str, source: str) -> Rule:
    """Parse one rule file; errors name `source:line`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _load(text)
    except yaml.YAMLError as exc:
        line, what = _yaml_problem(exc, text)
        raise DefinitionError(f"{source}:{line}: invalid YAML: {what}") from None
    if not isinstance(data, dict) or node is None:
        raise DefinitionError(f"{source}:1: a rule file must be a mapping with id, kind, who ...")
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise DefinitionError(f"{source}:{_line_of(node, loc)}: {_where(loc)}: {message}") from None
    problem = semantic_error(rule)
    if problem:
        loc, message = problem
        raise DefinitionError(f"{source}:{_line_of(node, loc)}: {_where(loc)}: {message}")
    return rule


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The 1-based line and the one-line problem of a PyYAML error."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable YAML"
        return (mark.line + 1 if mark else 1), " ".join(problem.split())
    if isinstance(exc, ReaderError):
        line = text[: exc.position].count("\n") + 1
        return line, f"character #x{exc.character:04x} is not allowed: {exc.reason}"
    first = str(exc).strip().splitlines()
    return 1, first[0] if first else type(exc).__name__


def _read_rule_file(path: Path) -> str:
    """The text of a user rule file; unreadable or non-UTF-8 files are user errors."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(f"{path}:1: cannot read the rule file: {exc.strerror}") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DefinitionError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "rule"


def _shipped_files() -> list[tuple[str, str]]:
    folder = resources.files("stip").joinpath("defaults", "rules")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            out.append((f"stip/defaults/rules/{entry.name}", entry.read_text(encoding="utf-8")))
    return out


def load_rules(home: Path | None) -> list[Rule]:
    """Shipped rules, replaced or extended by `$STIP_HOME/rules/*.yaml`; enabled ones only."""
    by_id: dict[str, Rule] = {}
    sources: dict[str, str] = {}
    files = _shipped_files()
    user_dir = home / "rules" if home else None
    if user_dir and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.y*ml")):
            files.append((str(path), _read_rule_file(path)))
    for source, text in files:
        rule = parse_rule(text, source)
        shipped = source.startswith("stip/defaults/")
        if rule.id in by_id and (shipped or not sources[rule.id].startswith("stip/defaults/")):
            raise DefinitionError(
                f"{source}:1: rule id '{rule.id}' is also defined in {sources[rule.id]}"
            )
        by_id[rule.id] = rule
        sources[rule.id] = source
    return [rule for rule in by_id.values() if rule.enabled]
