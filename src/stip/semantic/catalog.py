"""The KPI catalogue: built-in definitions plus `$STIP_HOME/kpis/` (user KPIs, target overrides).

Loading runs in stages (style guide, convention 2): YAML with line numbers, pydantic models,
then catalogue-wide rules that return issues instead of raising. `load_catalog` raises one
`DefinitionError` listing them; `validate_dirs` returns them for `stip kpi validate`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
from pydantic import ValidationError

from stip.errors import DefinitionError, QueryError, UserError, suggest
from stip.semantic import functions
from stip.semantic.actions import template_problems
from stip.semantic.bases import base_dimensions, base_names, base_schema
from stip.semantic.expressions import PERIOD_COLUMNS, SETTING_NAMES, evaluate
from stip.semantic.loader import Issue, KpiLines, LoadedFile, load_file
from stip.semantic.models import ActionQuery, KpiDefinition, TargetOverride
from stip.semantic.periods import parse_period
from stip.stamps import files_stamp
from stip.store.schema import TABLES_BY_NAME
from stip.yamllines import comment

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "defaults" / "kpis"


class KpiCatalog:
    def __init__(self, kpis: dict[str, KpiDefinition], issues: list[Issue]) -> None:
        self._kpis = kpis
        self.issues = issues

    def __iter__(self) -> Iterator[KpiDefinition]:
        return iter(self._kpis.values())

    def __contains__(self, kpi_id: object) -> bool:
        return kpi_id in self._kpis

    def __len__(self) -> int:
        return len(self._kpis)

    def ids(self) -> list[str]:
        return list(self._kpis)

    def get(self, kpi_id: str) -> KpiDefinition:
        try:
            return self._kpis[kpi_id]
        except KeyError:
            raise QueryError(
                f"unknown KPI '{kpi_id}'.{suggest(kpi_id, self._kpis)} "
                "See `stip kpi list` for all KPIs."
            ) from None

    def for_role(self, role: str) -> list[KpiDefinition]:
        return [k for k in self._kpis.values() if role in k.roles]


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))


def _default_home() -> Path:
    return Path(os.environ.get("STIP_HOME") or ".stip")


def catalog_dirs(extra_dirs: Iterable[Path | str] = (), home: Path | None = None) -> list[Path]:
    home_dir = (home or _default_home()) / "kpis"
    return [BUILTIN_DIR, home_dir, *(Path(d) for d in extra_dirs)]


def kpi_files_stamp(home: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of each KPI file in `home/kpis/`: changes with them."""
    return files_stamp(_yaml_files(home / "kpis"))


def validate_dirs(dirs: Iterable[Path]) -> tuple[KpiCatalog, list[Issue]]:
    """Load every YAML file under `dirs` (later dirs override earlier ones by KPI id)."""
    functions.load_function_modules()
    issues: list[Issue] = []
    kpis: dict[str, KpiDefinition] = {}
    lines: dict[str, tuple[str, KpiLines]] = {}
    overrides: list[tuple[str, TargetOverride, Issue]] = []
    for index, directory in enumerate(dirs):
        seen_here: dict[str, str] = {}
        for path in _yaml_files(directory):
            loaded: LoadedFile = load_file(path)
            issues += loaded.issues
            for kpi, kpi_lines in loaded.kpis:
                if kpi.id in seen_here:
                    issues.append(
                        Issue(
                            str(path),
                            kpi_lines.line,
                            f"KPI {kpi.id} is defined twice (also in {seen_here[kpi.id]})",
                        )
                    )
                    continue
                seen_here[kpi.id] = f"{path}:{kpi_lines.line}"
                if index > 0 or kpi.id not in kpis:
                    kpis[kpi.id] = kpi
                    lines[kpi.id] = (str(path), kpi_lines)
            for kpi_id, (target, line) in loaded.targets.items():
                overrides.append((kpi_id, target, Issue(str(path), line, "")))
    for kpi_id, target, where in overrides:
        if kpi_id not in kpis:
            issues.append(
                Issue(
                    where.file,
                    where.line,
                    f"targets: unknown KPI '{kpi_id}'.{suggest(kpi_id, kpis)}",
                )
            )
            continue
        changed = {k: v for k, v in target.model_dump().items() if k in target.model_fields_set}
        try:
            # validated again, so an override is held to the KPI's own threshold rules
            kpi = kpis[kpi_id]
            fields = {**kpi.model_dump(by_alias=True), **changed, "source": kpi.source}
            kpis[kpi_id] = KpiDefinition.model_validate(fields)
        except ValidationError as exc:
            reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            own = [
                f"{k} {v}"
                for k, v in (("target", kpi.target), ("amber", kpi.amber))
                if v is not None
            ]
            shipped = f"the KPI's own: {', '.join(own) or 'no target'}"
            issues.append(Issue(where.file, where.line, f"targets.{kpi_id}: {reasons} ({shipped})"))
    for kpi_id, kpi in kpis.items():
        file, kpi_lines = lines[kpi_id]
        issues += [
            Issue(file, kpi_lines.at(loc), f"KPI {kpi_id}: {message}")
            for loc, message in _rules(kpi, kpis)
        ]
    return KpiCatalog(kpis, issues), issues


# A problem found by the catalogue-wide checks: where in the KPI (a path of keys, for the
# line) and the message.
Problem = tuple[tuple[str | int, ...], str]


def _rules(kpi: KpiDefinition, kpis: dict[str, KpiDefinition]) -> list[Problem]:
    """Catalogue-wide checks for one KPI; each problem is one message at its field."""
    problems: list[Problem] = []
    measure = kpi.measure
    try:
        parse_period(
            kpi.default_period, datetime(2026, 1, 15, tzinfo=ZoneInfo("UTC")), ZoneInfo("UTC")
        )
    except UserError as exc:
        problems.append((("default_period",), f"default_period: {exc}"))
    for item in kpi.requires:
        table, column = item.split(".")
        if table not in TABLES_BY_NAME or column not in TABLES_BY_NAME[table].column_names:
            problems.append((("requires",), f"requires: '{item}' is not a canonical table.column"))
    if measure.type == "ratio":
        for part, ref in (("numerator", measure.numerator), ("denominator", measure.denominator)):
            if ref not in kpis:
                message = f"measure: unknown KPI '{ref}'.{suggest(str(ref), kpis)}"
                problems.append((("measure", part), message))
        circle = _ratio_circle(kpi.id, kpis)
        if circle:
            problems.append(
                (
                    ("measure",),
                    f"measure: ratios refer to each other in a circle ({' -> '.join(circle)}); "
                    "a ratio's numerator and denominator must end in KPIs that are not ratios",
                )
            )
    elif measure.type == "function":
        if measure.function not in functions.REGISTRY:
            message = (
                f"measure.function: '{measure.function}' is not registered."
                f"{suggest(str(measure.function), functions.REGISTRY)}"
            )
            problems.append((("measure", "function"), message))
        else:
            allowed = functions.REGISTRY[measure.function].dimensions
            problems += [
                (
                    ("dimensions",),
                    f"dimensions: '{d}' is not supported by function {measure.function}",
                )
                for d in kpi.dimensions
                if d not in allowed
            ]
    else:
        problems += _base_rules(kpi, str(measure.base))
    if kpi.actions is not None and kpi.actions.function is not None:
        problems += [(("actions", *loc), f"actions: {m}") for loc, m in _action_function(kpi)]
    elif kpi.actions is not None:
        action_base = kpi.actions.base or measure.base
        if action_base is None:
            problems.append((("actions",), "actions: needs `base` (the measure has none)"))
        else:
            problems += [
                (("actions", *loc), f"actions: {m}") for loc, m in _action_rules(kpi, action_base)
            ]
    return problems


def _ratio_circle(start: str, kpis: dict[str, KpiDefinition]) -> list[str]:
    """The ratio references from `start` back to itself (`[a, b, a]`), or [] if none."""
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop()
        measure = kpis[path[-1]].measure
        if measure.type != "ratio":
            continue
        for ref in (str(measure.numerator), str(measure.denominator)):
            if ref == start:
                return [*path, ref]
            if ref in kpis and ref not in seen:
                seen.add(ref)
                paths.append([*path, ref])
    return []


# What a KPI text must give: `where`/`condition` a true/false per row, a summed or averaged
# `value` a number (count_distinct counts anything).
_CONDITION, _NUMBER, _ANY = "a true/false condition", "a number", "any value"


def _check_expressions(
    base: str, texts: Iterable[tuple[tuple[str | int, ...], str, str]]
) -> list[Problem]:
    """Problems of `(where, text, what it must give)` resolved against `base`'s columns."""
    if base not in base_names():
        return []
    fields = dict(base_schema(base).items())
    fields.update({col: "timestamp" for col in PERIOD_COLUMNS.values()})
    for name in ("p_start_date", "p_end_date", "p_as_of_date"):
        fields[name] = "date"
    fields["p_business_days"] = "int64"
    table = ibis.table(fields, name=base)
    values = dict.fromkeys(SETTING_NAMES, 1.0)
    problems: list[Problem] = []
    for loc, text, wanted in texts:
        try:
            expr = evaluate(text, values)
            resolved = expr.resolve(table) if hasattr(expr, "resolve") else ibis.literal(expr)
        except Exception as exc:  # noqa: BLE001 - any resolution failure is a definition issue
            message = f"expression {text!r} does not fit base {base}: {exc}".splitlines()[0]
            problems.append((loc, message))
            continue
        kind = resolved.type()
        fits = {
            _CONDITION: kind.is_boolean(),
            _NUMBER: kind.is_numeric() and not kind.is_boolean(),
            _ANY: True,
        }[wanted]
        if not fits:
            problems.append(
                (loc, f"expression {text!r} gives {kind}, but here it must give {wanted}")
            )
    return problems


def _base_rules(kpi: KpiDefinition, base: str) -> list[Problem]:
    measure = kpi.measure
    if base not in base_names():
        return [
            (
                ("measure", "base"),
                f"measure.base: unknown base '{base}'.{suggest(base, base_names())}",
            )
        ]
    problems: list[Problem] = []
    columns = base_schema(base)
    span = measure.business_hours
    time = columns.get(measure.time) if measure.time else None
    if time is not None and not (time.is_timestamp() or time.is_date()):
        problems.append(
            (("measure", "time"), f"measure.time: '{measure.time}' is not a date or time column")
        )
    ends = [span.from_, span.to] if span else []
    span_loc = ("measure", "business_hours")
    problems += [
        (span_loc, f"measure.business_hours: '{end}' is not a timestamp column")
        for end in ends
        if end in columns and not columns[end].is_timestamp()
    ]
    problems += [
        (
            ("measure", "time") if name == measure.time else span_loc,
            f"measure: '{name}' is not a column of {base}",
        )
        for name in (measure.time, *ends)
        if name and name not in columns
    ]
    problems += [
        (("dimensions",), f"dimensions: '{d}' is not available on base {base}")
        for d in kpi.dimensions
        if d not in base_dimensions(base)
    ]
    texts: list[tuple[tuple[str | int, ...], str, str]] = [
        (("measure", "where", i), text, _CONDITION) for i, text in enumerate(measure.where)
    ]
    if measure.condition:
        texts.append((("measure", "condition"), measure.condition, _CONDITION))
    if measure.value:
        wanted = _ANY if measure.type == "count_distinct" else _NUMBER
        texts.append((("measure", "value"), measure.value, wanted))
    return problems + _check_expressions(base, texts)


def _action_function(kpi: KpiDefinition) -> list[Problem]:
    """Problems of an action list computed by a registered function."""
    actions = kpi.actions
    assert actions is not None and actions.function is not None
    name = actions.function
    if name not in functions.ACTIONS:
        hint = suggest(name, functions.ACTIONS)
        return [(("function",), f"'{name}' is not a registered action list function.{hint}")]
    registered = functions.ACTIONS[name]
    problems: list[Problem] = [
        ((part,), f"`{part}` does not go with `function` (the function picks the records)")
        for part in ("time", "where")
        if getattr(actions, part) is not None
    ]
    if actions.base not in (None, registered.base):
        message = f"function {name} lists records of {registered.base}, not {actions.base}"
        problems.append((("base",), message))
    problems += _named_columns(actions, registered.columns, f"function {name}")
    return problems + template_problems(actions)


def _named_columns(actions: ActionQuery, columns: Iterable[str], source: str) -> list[Problem]:
    named: list[tuple[tuple[str | int, ...], str]] = [
        *((("fields", i), c) for i, c in enumerate(actions.fields)),
        (("person",), actions.person),
        *((("order_by", i), o.lstrip("-")) for i, o in enumerate(actions.order_by)),
        *([(("time",), actions.time)] if actions.time else []),
    ]
    known = set(columns)
    return [(loc, f"'{c}' is not a column of {source}") for loc, c in named if c not in known]


def _action_rules(kpi: KpiDefinition, base: str) -> list[Problem]:
    """Problems of a KPI's action list; each where is relative to `actions`."""
    actions = kpi.actions
    assert actions is not None
    if base not in base_names():
        return [(("base",), f"unknown base '{base}'.{suggest(base, base_names())}")]
    problems = _named_columns(actions, base_schema(base), base)
    problems += template_problems(actions)
    conditions = [(("where", i), t, _CONDITION) for i, t in enumerate(actions.where or [])]
    return problems + _check_expressions(base, conditions)


def targets_file(home: Path) -> Path:
    """The installation's target overrides, the one KPI file the browser edits."""
    return home / "kpis" / "targets.yaml"


def check_in_folder(candidate: Path, folder: Path) -> int:
    """The catalogue with `candidate` in place of its namesake in `folder` (the installation's
    KPI folder; its other files are copied beside the candidate, as they are): the number of
    target overrides `candidate` holds. The first problem raises `DefinitionError`."""
    for path in _yaml_files(folder):
        relative = path.relative_to(folder)
        if relative != Path(candidate.name):
            copy = candidate.parent / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
    _, issues = validate_dirs([BUILTIN_DIR, candidate.parent])
    if issues:
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        raise DefinitionError(f"{issues[0]}{more}")
    return len(load_file(candidate).targets)


def targets_starter(translate: Callable[[str], str] = str) -> str:
    """A first targets file to edit in the browser, its comment in the reader's language."""
    return TARGETS_STARTER.format(intro=comment(TARGETS_COMMENT, translate))


TARGETS_COMMENT = (
    "Your own targets, amber thresholds and minimum records (min_n) for any KPI, Stip's or "
    "yours (docs/kpi-authoring.md); a KPI left out keeps its own. For example:"
)
TARGETS_STARTER = """\
{intro}
#   sla_met_rate: {{target: 97, amber: 93}}
#   csat_positive_rate: {{min_n: 3}}
targets: {{}}
"""


def load_catalog(
    extra_dirs: Iterable[Path | str] = (), *, home: Path | None = None, strict: bool = True
) -> KpiCatalog:
    """Built-in KPIs, then `$STIP_HOME/kpis/`, then `extra_dirs`. Raises on any issue if strict."""
    catalog, issues = validate_dirs(catalog_dirs(extra_dirs, home))
    if issues and strict:
        more = f" (and {len(issues) - 1} more; run `stip kpi validate`)" if len(issues) > 1 else ""
        raise DefinitionError(f"{issues[0]}{more}")
    return catalog
