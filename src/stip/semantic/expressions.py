"""Row expressions in KPI definitions: a small, checked subset of Ibis' deferred `_` syntax.

`"_.completed_date.isnull() | (_.completed_date >= period_end)"` is parsed with `ast`, checked
against a whitelist (no private attributes, no names outside the namespace below, no
`and`/`or`/`not`, which do not work on Ibis columns: use `&`, `|`, `~`), and then evaluated to
an Ibis deferred expression that the engine resolves against the KPI's base relation.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

import ibis
from ibis import _

# Columns the engine adds to every base row when it joins the periods being computed.
PERIOD_COLUMNS = {
    "period_start": "p_start",
    "period_end": "p_end",
    "period_start_date": "p_start_date",
    "period_end_date": "p_end_date",
    "as_of": "p_as_of",
    "as_of_date": "p_as_of_date",
    "period_business_days": "p_business_days",
}
FUNCTIONS: dict[str, Any] = {
    "coalesce": ibis.coalesce,
    "greatest": ibis.greatest,
    "least": ibis.least,
    "null": ibis.null,
    "cases": ibis.cases,
    "ifelse": ibis.ifelse,
    "interval": ibis.interval,
    "date": ibis.date,
    "timestamp": ibis.timestamp,
}
# Numbers from settings, substituted at compute time.
SETTING_NAMES = ("csat_scale_max", "hours_per_day")
NAMES = frozenset({"_", *PERIOD_COLUMNS, *FUNCTIONS, *SETTING_NAMES})

_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Call,
    ast.Attribute,
    ast.Name,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.keyword,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
)


class ExpressionError(ValueError):
    """A row expression is not allowed or does not parse."""


def check_expression(text: str) -> None:
    """Raise `ExpressionError` (a ValueError, so pydantic reports it) when `text` is not allowed."""
    _parse(text)


@lru_cache(maxsize=2048)
def _parse(text: str) -> Any:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {text!r} does not parse: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp | ast.Not):
            raise ExpressionError(
                f"expression {text!r}: use & | ~ (with parentheses) instead of and/or/not"
            )
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(
                f"expression {text!r}: {type(node).__name__} is not allowed in KPI expressions"
            )
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"expression {text!r}: private attribute '{node.attr}'")
        if isinstance(node, ast.Name) and node.id not in NAMES:
            raise ExpressionError(
                f"expression {text!r}: unknown name '{node.id}'; row columns are written "
                f"_.column, and the other names are: {', '.join(sorted(NAMES - {'_'}))}"
            )
    return compile(tree, "<kpi expression>", "eval")


def uses_period(text: str, only: tuple[str, ...] | None = None) -> bool:
    """Whether an expression refers to the period or as-of (so needs the `p_*` columns);
    with `only`, whether it refers to one of those names."""
    return bool(_names(text) & set(only or PERIOD_COLUMNS))


@lru_cache(maxsize=2048)
def _names(text: str) -> frozenset[str]:
    """The plain names an expression uses; asked for thousands of times per dashboard."""
    tree = ast.parse(text.strip(), mode="eval")
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


@lru_cache(maxsize=2048)
def column_names(text: str) -> frozenset[str]:
    """The row columns an expression reads (every `_.name`)."""
    tree = ast.parse(text.strip(), mode="eval")
    return frozenset(
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "_"
    )


def evaluate(text: str, settings_values: dict[str, float]) -> Any:
    """The deferred Ibis expression for `text` (resolve it with `table.filter(...)` etc.)."""
    code = _parse(text)
    namespace: dict[str, Any] = {"_": _, **FUNCTIONS, **settings_values}
    for name, column in PERIOD_COLUMNS.items():
        namespace[name] = _[column]
    return eval(code, {"__builtins__": {}}, namespace)  # noqa: S307 - whitelisted AST above


@lru_cache(maxsize=512)
def hoist_period_terms(texts: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """Each largest part of `texts` that reads the period or as-of but no row column, e.g.
    `as_of_date - interval(days=7)` or `least(period_end, as_of)`, made a column `p_t<n>`.

    Such a part has one value per window, yet written into a row expression the database
    computes it once per row: a date minus an interval per time entry is half of some fused
    queries on a large store. Computed as a column of the periods table instead, it costs one
    value per window. Returns (the new column's expression per name, each text rewritten to
    read `_.p_t<n>` instead); the same part in several texts becomes one column.
    """
    columns: dict[str, str] = {}
    names: dict[str, str] = {}

    class Hoist(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if isinstance(node, ast.Call | ast.BinOp | ast.UnaryOp | ast.Compare) and _period_only(
                node
            ):
                term = ast.unparse(node)
                if term not in names:
                    names[term] = f"p_t{len(names)}"
                    columns[names[term]] = term
                return ast.Attribute(ast.Name("_", ast.Load()), names[term], ast.Load())
            return super().visit(node)

    rewritten = {}
    for text in texts:
        tree = Hoist().visit(ast.parse(text.strip(), mode="eval"))
        rewritten[text] = ast.unparse(ast.fix_missing_locations(tree))
    return columns, rewritten


def _period_only(node: ast.AST) -> bool:
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return "_" not in used and bool(used & set(PERIOD_COLUMNS))
