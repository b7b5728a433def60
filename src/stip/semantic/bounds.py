"""Row bounds that every KPI of a snapshot group implies, applied before the rows meet the windows.

A snapshot measure (no time column) pairs every base row with every window: on the `large`
demo that is 2.1M tickets times 13 windows. Its `where` mostly says "open at the window's
end", e.g. `_.completed_date.isnull() | (_.completed_date > as_of)`. When every KPI of a group
bounds the same column from the same side, a row outside the loosest of those bounds over all
windows fails every KPI in every window, so it can be dropped before the pairing. Only these
two shapes are read, with `_.column` on the left and a limit that reads no row column:

    _.column > limit    (also >=, <, <=)
    _.column.isnull() | (_.column > limit)

The bound is a filter with a scalar subquery over the windows (`column >= MIN(limit)`), so it
costs no extra query and holds for any as-of and period.
"""

from __future__ import annotations

import ast
from functools import lru_cache, reduce
from typing import Any

import ibis

from stip.semantic.expressions import evaluate, uses_period
from stip.semantic.models import KpiDefinition

Side = tuple[str, str]  # (column, "lower" | "upper")


def snapshot_bound(
    table: ibis.Table, kpis: list[KpiDefinition], periods: ibis.Table, values: dict[str, float]
) -> Any | None:
    """A filter on `table` that keeps every row any of `kpis` can count in any window of
    `periods`; None when the KPIs share no bound."""
    found = [_kpi_bounds(tuple(kpi.measure.where)) for kpi in kpis]
    parts = []
    for column, side in sorted(bounded_columns(kpis)):
        limits = sorted({limit for bounds in found for limit, _ in bounds[(column, side)]})
        nullable = any(null for bounds in found for _, null in bounds[(column, side)])
        value = table[column]
        keep = [
            value >= _loosest(limit, side, values, periods)
            if side == "lower"
            else value <= _loosest(limit, side, values, periods)
            for limit in limits
        ]
        if nullable:
            keep.append(value.isnull())
        parts.append(reduce(lambda a, b: a | b, keep))
    return reduce(lambda a, b: a & b, parts) if parts else None


def _loosest(limit: str, side: str, values: dict[str, float], periods: ibis.Table) -> Any:
    """The lowest (lower side) or highest value `limit` takes over the windows."""
    expr = evaluate(limit, values)
    if not uses_period(limit):
        return expr
    resolved = expr.resolve(periods)
    return resolved.min() if side == "lower" else resolved.max()


def bounded_columns(kpis: list[KpiDefinition]) -> set[Side]:
    """The (column, side) pairs every one of `kpis` bounds."""
    found = [set(_kpi_bounds(tuple(kpi.measure.where))) for kpi in kpis]
    return set.intersection(*found) if found else set()


@lru_cache(maxsize=512)
def _kpi_bounds(texts: tuple[str, ...]) -> dict[Side, list[tuple[str, bool]]]:
    """Per bounded (column, side): the limits (as expression text) and whether null passes."""
    bounds: dict[Side, list[tuple[str, bool]]] = {}
    for text in texts:
        found = _bound(ast.parse(text.strip(), mode="eval").body)
        if found is not None:
            side, limit, nullable = found
            bounds.setdefault(side, []).append((limit, nullable))
    return bounds


def _bound(node: ast.expr) -> tuple[Side, str, bool] | None:
    null_column = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        null_column = _isnull_of(node.left)
        if null_column is None:
            return None
        node = node.right
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        return None
    column = _row_column(node.left)
    if column is None or null_column not in (None, column):
        return None
    op, limit = node.ops[0], node.comparators[0]
    if any(isinstance(n, ast.Name) and n.id == "_" for n in ast.walk(limit)):
        return None
    if isinstance(op, ast.Gt | ast.GtE):
        side = "lower"
    elif isinstance(op, ast.Lt | ast.LtE):
        side = "upper"
    else:
        return None
    return (column, side), ast.unparse(limit), null_column is not None


def _row_column(node: ast.expr) -> str | None:
    """`_.name` -> "name"."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == "_" else None
    return None


def _isnull_of(node: ast.expr) -> str | None:
    """`_.name.isnull()` -> "name"."""
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute):
        return _row_column(node.func.value) if node.func.attr == "isnull" else None
    return None
