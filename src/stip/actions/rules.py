"""Action rules: declarative YAML files that turn records into action items.

Shipped rules live in `stip/defaults/rules/*.yaml`; users add or tune rules in
`$STIP_HOME/rules/*.yaml` (a user file with the same `id` replaces the shipped rule). A rule
names a *kind* (the record selection, implemented in `stip.actions.selectors`), its
parameters, who acts, the deadline in business hours, the optional escalation, and the
"why" and "what to do" texts in Dutch and English with `{fact}` placeholders.
"""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stip.errors import DefinitionError

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


class Texts(BaseModel):
    """One text in both interface languages."""

    model_config = ConfigDict(extra="forbid")

    en: str
    nl: str

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_business_hours: float = Field(gt=0)
    to: Who = "team_lead"


class Rule(BaseModel):
    """One action rule; see docs/actions.md for every field."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str
    enabled: bool = True
    title: Texts
    who: Who
    fallback: Who | None = "teamlead"
    urgent: bool = False
    deadline_business_hours: float | None = Field(None, ge=0)
    escalate: Escalation | None = None
    auto_resolve: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    why: Texts
    todo: Texts

    def param(self, name: str) -> Any:
        from stip.actions.selectors import SELECTORS

        return self.params.get(name, SELECTORS[self.kind].defaults[name])


def semantic_error(rule: Rule) -> tuple[tuple[str, ...], str] | None:
    """The first problem a schema cannot see: unknown kind, params or text placeholders."""
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
    allowed = set(selector.facts) | {"scale"}
    for name in ("title", "why", "todo"):
        texts: Texts = getattr(rule, name)
        for lang in ("en", "nl"):
            try:
                fields = _placeholders(texts.get(lang))
            except ValueError as exc:
                return (name, lang), str(exc)
            for field_name in fields:
                if field_name not in allowed:
                    return (name, lang), (
                        f"unknown fact '{{{field_name}}}'; kind '{rule.kind}' has: "
                        f"{', '.join(sorted(allowed))}"
                    )
    return None


def _placeholders(text: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(text) if f]
    except ValueError as exc:
        raise ValueError(f"bad placeholder in '{text}': {exc}") from None


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


def parse_rule(text: str, source: str) -> Rule:
    """Parse one rule file; errors name `source:line`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise DefinitionError(f"{source}:{line}: invalid YAML: {exc}") from None
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
            files.append((str(path), path.read_text(encoding="utf-8")))
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
