"""Row expressions in KPI definitions: a small, checked subset of Ibis' deferred `_` syntax.

`"_.completed_date.isnull() | (_.completed_date >= period_end)"` is parsed with `ast`, checked
against allow-lists (the names below, the column methods in `METHODS`, plain arithmetic and
comparisons, small constants; no `and`/`or`/`not`, which do not work on Ibis columns: use `&`,
`|`, `~`), and only then evaluated to an Ibis deferred expression that the engine resolves
against the KPI's base relation. KPI files are data: checking or loading one must not be able
to run anything but building that expression.
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

# Methods an expression may call on a column (or on the result of a function or method):
# pure Ibis value methods. Anything else (`execute`, `to_csv`, `sql`, Python's `str.format`
# on a constant, ...) would read or write outside the KPI's query, so it is refused.
METHODS = frozenset(
    """isnull notnull isin notin fill_null nullif cast try_cast between coalesce cases ifelse
    identical_to isnan isinf abs ceil floor round sign clip negate sqrt ln log log10 log2 exp
    lower upper length strip lstrip rstrip contains startswith endswith like ilike re_search
    substr left right replace capitalize find date time year month day hour minute second
    millisecond quarter week_of_year day_of_year epoch_seconds truncate day_of_week index
    full_name strftime delta""".split()  # noqa: SIM905 - a list of 65 words reads better so
)
# Arithmetic that cannot blow up while the text is read: no `**` or shifts (`9**9**9` would
# hang the process), and constants small enough to stay cheap.
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.BitAnd, ast.BitOr, ast.BitXor)
_UNARY = (ast.USub, ast.UAdd, ast.Invert)
_NODES = (
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
    ast.cmpop,
    *_OPERATORS,
    *_UNARY,
)
MAX_NUMBER = 10**15
MAX_TEXT = 1000


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
        problem = _problem(node)
        if problem:
            raise ExpressionError(f"expression {text!r}: {problem}")
    return compile(tree, "<kpi expression>", "eval")


def _problem(node: ast.AST) -> str | None:
    """What is wrong with one node of an expression, or None."""
    if isinstance(node, ast.BoolOp | ast.Not):
        return "use & | ~ (with parentheses) instead of and/or/not"
    if not isinstance(node, _NODES):
        return f"{_node_name(node)} is not allowed in KPI expressions"
    if isinstance(node, ast.Name) and node.id not in NAMES:
        return (
            f"unknown name '{node.id}'; row columns are written _.column, and the other "
            f"names are: {', '.join(sorted(NAMES - {'_'}))}"
        )
    if isinstance(node, ast.Attribute):
        return _attribute_problem(node)
    if isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) or getattr(func, "id", None) in FUNCTIONS):
            return "only the listed functions and column methods can be called"
        if isinstance(func, ast.Attribute) and _is_row(func.value):
            return f"_.{func.attr} is a column; a column cannot be called"
        if any(kw.arg is None for kw in node.keywords):
            return "** arguments are not allowed"
    if isinstance(node, ast.Compare) and len(node.ops) > 1:
        return "compare two values at a time: (a < b) & (b < c)"
    if isinstance(node, ast.BinOp) and _plain(node) and _holds_text_or_list(node):
        return "texts and lists cannot be combined with + - * / %; compare columns with them"
    if isinstance(node, ast.Constant):
        return _constant_problem(node.value)
    return None


def _is_row(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "_"


def _plain(node: ast.AST) -> bool:
    """Whether a part is plain Python, computed while the text is read (no column, period or
    function in it, so no Ibis expression): only small numbers may be worked on there, or
    `("a" + "b") * 10**9` and `"%0*d" % (10**9, 1)` would fill the memory."""
    return not any(
        isinstance(n, ast.Call) or (isinstance(n, ast.Name) and n.id in ("_", *PERIOD_COLUMNS))
        for n in ast.walk(node)
    )


def _holds_text_or_list(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.List | ast.Tuple)
        or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        for n in ast.walk(node)
    )


def _attribute_problem(node: ast.Attribute) -> str | None:
    if node.attr.startswith("_"):
        return f"private attribute '{node.attr}'"
    receiver = node.value
    if isinstance(receiver, ast.Name) and receiver.id == "_":
        return None  # a column of the row
    if node.attr not in METHODS:
        return f"'{node.attr}' is not one of the column methods KPI expressions may use"
    if _plain(receiver):
        return f"'.{node.attr}' works on columns and function results, not on a constant or name"
    return None


def _constant_problem(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if abs(value) <= MAX_NUMBER else f"the number {value} is too large"
    if isinstance(value, str):
        return None if len(value) <= MAX_TEXT else f"a text longer than {MAX_TEXT} characters"
    return f"the constant {value!r} is not a number, text, true/false or null"


def _node_name(node: ast.AST) -> str:
    names: dict[type[ast.AST], str] = {
        ast.Pow: "**",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.FloorDiv: "//",
        ast.MatMult: "@",
    }
    return names.get(type(node), type(node).__name__)


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
