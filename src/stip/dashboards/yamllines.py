"""YAML loading that remembers the line of every mapping key and sequence item."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]
# libyaml's loader when PyYAML has it (its wheels do): one parse, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_lines(text: str, filename: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML; return the data and a map from each value's path to its 1-based line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        if node is None:
            return None, lines
        data = loader.construct_document(node)
        _record(loader, node, (), lines)
        return data, lines
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        from stip.errors import DefinitionError

        raise DefinitionError(f"{filename}:{line}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()


def _record(loader: Any, node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            _record(loader, value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record(loader, item, (*path, i), lines)


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)
