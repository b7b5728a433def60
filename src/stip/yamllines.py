"""YAML loading that remembers the line of every mapping key and sequence item."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from stip.errors import DefinitionError

Path = tuple[str | int, ...]
# libyaml's loader when PyYAML has it (its wheels do): one parse, several times faster.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]
    """The safe loader of every definition file (KPIs, dashboards, goals), stricter where
    PyYAML lets a mistake through: a key given twice (PyYAML keeps the last) and a date that
    does not exist (`2027-06-31`, which PyYAML raises as a bare ValueError) are errors with
    their line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # an unhashable key: PyYAML's own error follows
                break
            if first != line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"'{key}' is given twice (also on line {first}); keep one",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a date ({exc})", node.start_mark
            ) from None


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)


def load_with_lines(text: str, filename: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML; return the data and a map from each value's path to its 1-based line."""
    loader = Loader(text)
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


def read_yaml(path: FilePath) -> tuple[Any, dict[Path, int]]:
    """Read and parse a definition file; `DefinitionError("file:line: ...")` when it cannot be
    read, is not UTF-8 or is not YAML."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(f"{path}:1: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DefinitionError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    return load_with_lines(text, str(path))


def invalid(path: FilePath, lines: dict[Path, int], exc: ValidationError) -> DefinitionError:
    """The first problem pydantic found, as `file:line: field.path: message`."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    where = ".".join(str(p) for p in loc) or "(top)"
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = f"unknown field '{loc[-1]}'"
    return DefinitionError(f"{path}:{line_of(lines, loc)}: {where}: {msg}")


M = TypeVar("M", bound=BaseModel)


def load_model(path: FilePath, model: type[M], kind: str) -> tuple[M, dict[Path, int]]:
    """Read a definition file into `model`, with the line of every value for the checks
    that follow; `kind` names the file in the error when it is no mapping."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}:1: a {kind} file must be a mapping (kind: {kind.title()})")
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise invalid(path, lines, exc) from None


def comment(text: str, translate: Callable[[str], str] = str) -> str:
    """`text`, in the reader's language (`translate`, a gettext), as YAML comment lines of
    at most 90 characters: the guidance at the top of a starter file."""
    return "\n".join(f"# {line}" for line in textwrap.wrap(translate(text), 88))
