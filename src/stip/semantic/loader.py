"""YAML KPI files -> validated definitions, with every problem reported as `file:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stip.semantic.models import KpiDefinition, TargetOverride
from stip.yamllines import Loader


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class KpiLines:
    """Where a KPI stands in its file: its first line, and the line of any of its fields."""

    node: yaml.Node | None

    @property
    def line(self) -> int:
        return _line(self.node)

    def at(self, loc: tuple[Any, ...]) -> int:
        """The line of the field at `loc` (keys and list indexes), else of the nearest parent."""
        return _line(_node_at(self.node, loc))


@dataclass
class LoadedFile:
    path: Path
    kpis: list[tuple[KpiDefinition, KpiLines]]
    targets: dict[str, tuple[TargetOverride, int]]
    issues: list[Issue]


def _node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The deepest YAML node along a pydantic error location."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                return node
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _message(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
    msg = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML's node tree (for line numbers) and its data, from one parse."""
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()
    return root, data


def load_file(path: Path) -> LoadedFile:
    """Parse one file; valid KPIs are kept even when others in the same file are broken."""
    result = LoadedFile(path, [], {}, [])
    where = str(path)
    try:
        root, data = compose_and_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        result.issues.append(Issue(where, 1, f"cannot read: {exc}"))
        return result
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        result.issues.append(Issue(where, line, f"YAML syntax: {getattr(exc, 'problem', exc)}"))
        return result
    if data is None:
        return result
    if not isinstance(data, dict):
        result.issues.append(Issue(where, 1, "the file must be a mapping with `kpis:`/`targets:`"))
        return result
    for key in data:
        if key not in ("kpis", "targets"):
            node = _node_at(root, (key,))
            result.issues.append(
                Issue(where, _line(node), f"unknown top-level key '{key}' (use kpis, targets)")
            )
    items = data.get("kpis") or []
    if not isinstance(items, list):
        result.issues.append(Issue(where, _line(_node_at(root, ("kpis",))), "kpis: must be a list"))
        items = []
    for index, item in enumerate(items):
        item_node = _node_at(root, ("kpis", index))
        try:
            kpi = KpiDefinition.model_validate({**item, "source": where})
        except (ValidationError, TypeError) as exc:
            errors = exc.errors() if isinstance(exc, ValidationError) else []
            if not errors:
                result.issues.append(Issue(where, _line(item_node), "a KPI must be a mapping"))
            for error in errors:
                node = _node_at(item_node, tuple(error["loc"]))
                ident = item.get("id", f"#{index + 1}") if isinstance(item, dict) else index
                result.issues.append(Issue(where, _line(node), f"KPI {ident}: {_message(error)}"))
            continue
        result.kpis.append((kpi, KpiLines(item_node)))
    targets = data.get("targets") or {}
    if not isinstance(targets, dict):
        node = _node_at(root, ("targets",))
        result.issues.append(Issue(where, _line(node), "targets: must map KPI ids to targets"))
        targets = {}
    for kpi_id, value in targets.items():
        node = _node_at(root, ("targets", kpi_id))
        try:
            result.targets[str(kpi_id)] = (TargetOverride.model_validate(value or {}), _line(node))
        except ValidationError as exc:
            for error in exc.errors():
                result.issues.append(
                    Issue(where, _line(node), f"targets.{kpi_id}: {_message(error)}")
                )
    return result
