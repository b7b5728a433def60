"""Turns KPI definitions into Ibis queries and runs them, fusing what shares a scan.

Declarative measures over the same base and time column become ONE aggregation (each KPI's
filters go into `FILTER (WHERE ...)` clauses), grouped by window (`p_idx`) and the `--by`
dimension, so a dashboard's tiles, their previous periods and their trend cost one scan per
base rather than one per KPI and period. Business-hours measures fetch the two timestamps per
row and compute in numpy (`BusinessCalendar.hours_between_arrays`).
"""

from __future__ import annotations

import contextvars
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import reduce
from typing import Any, TypeVar

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from stip.semantic import functions
from stip.semantic.bases import DIM_COLUMNS, base_dimensions, base_table
from stip.semantic.bounds import snapshot_bound
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.expressions import column_names, evaluate, hoist_period_terms, uses_period
from stip.semantic.models import KpiDefinition
from stip.semantic.query import Scope, Window, apply_scope, join_periods, periods_table
from stip.settings import Settings

# Ibis merges consecutive SELECTs while compiling; DuckDB's and PostgreSQL's planners flatten
# nested queries anyway, and skipping the merge takes ~40 % off the time Ibis spends compiling
# a dashboard's queries (1.5-2.1 s -> 0.9-1.5 s for the owner dashboard on `medium`).
ibis.options.sql.fuse_selects = False
T = TypeVar("T")
UNIT_WORKERS = 2
# The connection attribute holding the table schemas a computation has looked up.
SCHEMAS = "_stip_schemas"
# When set (benchmarks), every query the engine runs is recorded as (SQL, seconds), and every
# unit of work (a fused group, a business-hours measure, a function) as (label, seconds).
QUERY_LOG: ContextVar[list[tuple[str, float]] | None] = ContextVar("kpi_query_log", default=None)
UNIT_LOG: ContextVar[list[tuple[str, float]] | None] = ContextVar("kpi_unit_log", default=None)


class _Timed:
    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        log = UNIT_LOG.get()
        if log is not None:
            log.append((self.label, time.perf_counter() - self.started))


def run(expr: ibis.Table) -> pd.DataFrame:
    """Execute one expression, recording its SQL and time when a query log is active."""
    log = QUERY_LOG.get()
    if log is None:
        return expr.to_pandas()
    started = time.perf_counter()
    frame = expr.to_pandas()
    log.append((str(ibis.to_sql(expr)), time.perf_counter() - started))
    return frame


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    n: int


Cells = dict[tuple[int, Any], Cell]


@dataclass
class Request:
    con: BaseBackend
    settings: Settings
    calendar: BusinessCalendar
    windows: list[Window]
    by: str | None
    scope: Scope

    @property
    def keys(self) -> list[str]:
        return ["p_idx", *([DIM_COLUMNS[self.by]] if self.by else [])]

    @property
    def setting_values(self) -> dict[str, float]:
        return {
            "csat_scale_max": float(self.settings.csat_scale_max),
            "hours_per_day": float(self.settings.available_hours_per_day),
        }


def supports_scope(kpi: KpiDefinition, scope: Scope, kpis: dict[str, KpiDefinition]) -> bool:
    measure = kpi.measure
    if not scope.dims:
        return True
    if measure.type == "ratio":
        return all(
            supports_scope(kpis[ref], scope, kpis)
            for ref in (measure.numerator, measure.denominator)
            if ref
        )
    if measure.type == "function":
        allowed = functions.REGISTRY[str(measure.function)].scopes
    else:
        allowed = base_dimensions(str(measure.base))
    return all(dim in allowed for dim in scope.dims)


def as_of_use(kpi: KpiDefinition, catalog: dict[str, KpiDefinition]) -> str:
    """What of the as-of a KPI's value can change with: "time", "date" (local) or "none"."""
    measure = kpi.measure
    if measure.type == "function":
        use = functions.REGISTRY[str(measure.function)].uses_as_of
        return "date" if use == "date" else "time" if use else "none"
    if measure.type == "ratio":
        parts = {
            as_of_use(catalog[str(p)], catalog) for p in (measure.numerator, measure.denominator)
        }
        return next((u for u in ("time", "date") if u in parts), "none")
    texts = [*measure.where, *(t for t in (measure.value, measure.condition) if t)]
    if any(uses_period(text, only=("as_of",)) for text in texts):
        return "time"
    if any(uses_period(text, only=("as_of_date",)) for text in texts):
        return "date"
    return "none"


def accumulates(kpi: KpiDefinition, catalog: dict[str, KpiDefinition]) -> bool:
    """Whether the value adds up over the period: a count or total of the events in it, such
    as tickets created or hours booked. Part of a period is only comparable with the same
    part of another one; a rate, an average or a state at a moment is comparable as it is."""
    measure = kpi.measure
    if measure.type == "function":  # declared where it is registered
        return functions.REGISTRY[str(measure.function)].accumulates
    if measure.type == "ratio":  # a total per head adds up; a share of two totals does not
        top, bottom = (catalog[str(ref)] for ref in (measure.numerator, measure.denominator))
        return accumulates(top, catalog) and not accumulates(bottom, catalog)
    return (
        measure.type in ("count", "count_distinct", "sum")
        and measure.time is not None
        and as_of_use(kpi, catalog) == "none"
    )


def compute(
    req: Request, kpis: list[KpiDefinition], catalog: dict[str, KpiDefinition]
) -> dict[str, Cells]:
    """Cells per KPI id: `(p_idx, dim id or None) -> Cell`."""
    needed = _with_dependencies(kpis, catalog)
    periods = periods_table(req.windows, req.calendar)
    results: dict[str, Cells] = {}
    fused: dict[tuple[str, str | None], list[KpiDefinition]] = defaultdict(list)
    units: list[_Unit] = []
    for kpi in needed.values():
        measure = kpi.measure
        if measure.type == "ratio":
            continue
        if not supports_scope(kpi, req.scope, catalog):
            results[kpi.id] = {}
        elif measure.type == "function":
            units.append(_Unit(f"function {measure.function} ({kpi.id})", _one(_function, kpi)))
        elif measure.business_hours is not None:
            units.append(_Unit(f"business hours ({kpi.id})", _one(_business_hours, kpi)))
        else:
            fused[(str(measure.base), measure.time)].append(kpi)
    for (base, time_column), group in fused.items():
        label = f"fused {base} by {time_column or 'snapshot'} ({len(group)} KPIs)"
        units.append(_Unit(label, _group(base, time_column, group)))
    for cells in _run_units(req, units, periods):
        results.update(cells)
    for kpi in needed.values():
        if kpi.measure.type == "ratio":
            results[kpi.id] = _ratio(kpi, results)
    for kpi in needed.values():
        results[kpi.id] = _fill_empty(req, kpi, results[kpi.id], catalog)
    return {kpi.id: results[kpi.id] for kpi in kpis}


def _with_dependencies(
    kpis: list[KpiDefinition], catalog: dict[str, KpiDefinition]
) -> dict[str, KpiDefinition]:
    needed: dict[str, KpiDefinition] = {}
    stack = list(kpis)
    while stack:
        kpi = stack.pop()
        if kpi.id in needed:
            continue
        needed[kpi.id] = kpi
        if kpi.measure.type == "ratio":
            stack += [catalog[str(kpi.measure.numerator)], catalog[str(kpi.measure.denominator)]]
    return needed


Work = Callable[[Request, ibis.Table], dict[str, Cells]]


@dataclass(frozen=True)
class _Unit:
    """One query's worth of work: a function KPI, a business-hours KPI or a fused group."""

    label: str
    work: Work

    def __call__(self, req: Request, periods: ibis.Table) -> dict[str, Cells]:
        with _Timed(self.label):
            return self.work(req, periods)


def _one(cells: Callable[[Request, KpiDefinition, ibis.Table], Cells], kpi: KpiDefinition) -> Work:
    return lambda req, periods: {kpi.id: cells(req, kpi, periods)}


def _group(base: str, time: str | None, group: list[KpiDefinition]) -> Work:
    return lambda req, periods: _fused(req, base, time, group, periods)


def in_parallel(con: BaseBackend, jobs: list[Callable[[BaseBackend], T]]) -> list[T]:
    """Each job's result, in order. On DuckDB two threads share the jobs, each on its own
    cursor of the same database: while one thread builds and compiles a query in Python, the
    other's query runs in DuckDB (which releases the GIL). Frames shared between KPIs stay
    computed once: the threads share the connection's memo (see `kpis_builtin.common.shared`).
    PostgreSQL runs the jobs one after another on its one connection."""
    if len(jobs) < 2 or con.name != "duckdb" or UNIT_WORKERS < 2:
        return [job(con) for job in jobs]
    local = threading.local()
    memo = con.__dict__.setdefault(functions.SHARED_MEMO, {})
    cursors: list[Any] = []
    lock = threading.Lock()

    def work(job: Callable[[BaseBackend], T]) -> T:
        if not hasattr(local, "con"):
            cursor = con.con.cursor()  # type: ignore[attr-defined]
            local.con = ibis.duckdb.from_connection(cursor)
            memoise_tables(local.con, con.__dict__.get(SCHEMAS))
            setattr(local.con, functions.SHARED_MEMO, memo)
            with lock:
                cursors.append(cursor)
        return job(local.con)

    try:
        with ThreadPoolExecutor(UNIT_WORKERS) as pool:
            futures = [pool.submit(contextvars.copy_context().run, work, job) for job in jobs]
            return [future.result() for future in futures]
    finally:
        for cursor in cursors:
            cursor.close()


def _run_units(req: Request, units: list[_Unit], periods: ibis.Table) -> list[dict[str, Cells]]:
    def job(unit: _Unit) -> Callable[[BaseBackend], dict[str, Cells]]:
        return lambda con: unit(replace(req, con=con), periods)

    return in_parallel(req.con, [job(unit) for unit in units])


def _rows(
    req: Request, base: str, time: str | None, periods: ibis.Table, kpis: list[KpiDefinition]
) -> tuple[ibis.Table, dict[str, str]]:
    """The base rows paired with their windows; for a snapshot (no time column), first
    without the rows no KPI can count in any window (`bounds`). A window left without rows
    gets the cells of one where nothing matched (`_fill_empty`), so dropping them moves nothing.
    Also each KPI text as the rows read it: the parts with one value per window are columns
    of the windows (`hoist_period_terms`)."""
    dims = [*req.scope.dims, *([req.by] if req.by else [])]
    texts = [
        text
        for kpi in kpis
        for text in (*kpi.measure.where, kpi.measure.value, kpi.measure.condition)
        if text
    ]
    columns = {name for text in texts for name in column_names(text)}
    for kpi in kpis:
        span = kpi.measure.business_hours
        columns |= {span.from_, span.to} if span else set()
    columns |= {time} if time else set()
    table = apply_scope(base_table(req.con, base, dims, columns=columns), req.scope)
    bound = snapshot_bound(table, kpis, periods, req.setting_values) if time is None else None
    if bound is not None:
        table = table.filter(bound)
    needs = any(uses_period(text) for text in texts)
    hoisted, rewritten = hoist_period_terms(tuple(dict.fromkeys(texts)))
    values = req.setting_values
    if hoisted:
        terms = {name: evaluate(term, values).resolve(periods) for name, term in hoisted.items()}
        periods = periods.mutate(**terms)
    rows = join_periods(table, periods, time, req.windows, period_columns=needs)
    return rows, rewritten


def row_condition(rows: ibis.Table, texts: list[str], values: dict[str, float]) -> Any:
    if not texts:
        return None
    parts = [evaluate(text, values).resolve(rows) for text in texts]
    return reduce(lambda a, b: a & b, parts)


def _both(a: Any, b: Any) -> Any:
    return b if a is None else a & b


def _fused(
    req: Request, base: str, time: str | None, group: list[KpiDefinition], periods: ibis.Table
) -> dict[str, Cells]:
    rows, text = _rows(req, base, time, periods, group)
    values = req.setting_values
    aggs: dict[str, Any] = {}
    for i, kpi in enumerate(group):
        m = kpi.measure
        cond = row_condition(rows, [text[w] for w in m.where], values)
        value: Any = evaluate(text[m.value], values).resolve(rows) if m.value else None
        if m.type == "count":
            aggs[f"n{i}"] = rows.count(where=cond)
        elif m.type == "count_distinct":
            aggs[f"v{i}"] = value.nunique(where=cond)
            aggs[f"n{i}"] = rows.count(where=cond)
        elif m.type == "sum":
            # n: the records summed (contract §5); a null value adds nothing, so is not one
            aggs[f"v{i}"] = value.sum(where=cond)
            aggs[f"n{i}"] = value.count(where=cond)
        elif m.type in ("mean", "median"):
            aggs[f"v{i}"] = value.mean(where=cond) if m.type == "mean" else value.median(where=cond)
            aggs[f"n{i}"] = value.count(where=cond)
        elif m.type == "share":
            yes = row_condition(rows, [text[str(m.condition)]], values)
            aggs[f"v{i}"] = rows.count(where=_both(cond, yes.fill_null(False)))
            aggs[f"n{i}"] = rows.count(where=cond)
    frame = run(rows.group_by(req.keys).aggregate(**aggs))
    out: dict[str, Cells] = {}
    for i, kpi in enumerate(group):
        m = kpi.measure
        cells: Cells = {}
        for record in frame.itertuples(index=False):
            row = record._asdict()
            key = _key(req, row)
            n = int(row[f"n{i}"])
            if m.type == "count":
                cells[key] = Cell(n, n)
            elif m.type == "count_distinct" and m.scale == 1:
                cells[key] = Cell(int(row[f"v{i}"]), n)  # a count, like `count` (not 26.0)
            elif m.type == "share":
                yes_count = int(row[f"v{i}"])
                cells[key] = Cell(m.scale * 100.0 * yes_count / n if n else None, n)
            else:
                cells[key] = Cell(_number(row[f"v{i}"], m.scale), n)
        out[kpi.id] = {k: c for k, c in cells.items() if c.n or req.by is None}
    return out


def _key(req: Request, row: dict[str, Any]) -> tuple[int, Any]:
    dim = row[DIM_COLUMNS[req.by]] if req.by else None
    return int(row["p_idx"]), _clean_id(dim)


def _clean_id(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return int(value)


def _number(value: Any, scale: float = 1.0) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    return number * scale


def _business_hours(req: Request, kpi: KpiDefinition, periods: ibis.Table) -> Cells:
    m = kpi.measure
    span = m.business_hours
    assert span is not None
    rows, text = _rows(req, str(m.base), m.time, periods, [kpi])
    cond = row_condition(rows, [text[w] for w in m.where], req.setting_values)
    if cond is not None:
        rows = rows.filter(cond)
    frame = run(rows.select(*req.keys, bh_from=rows[span.from_], bh_to=rows[span.to]))
    hours = req.calendar.hours_between_arrays(
        frame["bh_from"].to_numpy(dtype="datetime64[us]"),
        frame["bh_to"].to_numpy(dtype="datetime64[us]"),
    )
    frame = frame.assign(hours=hours).dropna(subset=["hours"])
    # Records without the dimension form their own group; a null key cannot be looked up in
    # a grouped index (NaN != NaN), so each group's statistic and count come as one row.
    grouped = frame.groupby(req.keys, dropna=False, as_index=False)["hours"]
    stats = grouped.agg(value=m.type, n="count")
    cells: Cells = {}
    for row in stats.to_dict("records"):
        dim = _clean_id(row[DIM_COLUMNS[req.by]]) if req.by else None
        cells[(int(row["p_idx"]), dim)] = Cell(_number(row["value"], m.scale), int(row["n"]))
    return cells


def _function(req: Request, kpi: KpiDefinition, periods: ibis.Table) -> Cells:
    registered = functions.REGISTRY[str(kpi.measure.function)]
    ctx = functions.FunctionContext(
        req.con, req.settings, req.calendar, req.windows, periods, req.by, req.scope
    )
    result = registered.fn(ctx)
    frame = result if isinstance(result, pd.DataFrame) else run(result)
    cells: Cells = {}
    for record in frame.to_dict("records"):
        value, n = _number(record["value"], kpi.measure.scale), _number(record["n"])
        if registered.additive == "count" and value is not None:
            cells[_key(req, record)] = Cell(int(value), int(value))
            continue
        cells[_key(req, record)] = Cell(value, 0 if n is None else int(n))
    return cells


def empty_value(kpi: KpiDefinition) -> int | float | None:
    """A KPI's value when nothing matched: 0 for counts, 0.0 for sums, else null (§5)."""
    measure = kpi.measure
    kind: str | None = measure.type
    if measure.type == "function":
        kind = functions.REGISTRY[str(measure.function)].additive
    if kind in ("count", "count_distinct"):
        return 0
    return 0.0 if kind == "sum" else None


def _ratio(kpi: KpiDefinition, results: dict[str, Cells]) -> Cells:
    num = results[str(kpi.measure.numerator)]
    den = results[str(kpi.measure.denominator)]
    cells: Cells = {}
    for key, bottom in den.items():
        top = num.get(key, Cell(None, 0)).value
        if bottom.value in (None, 0) or (top is None and bottom.n == 0):
            cells[key] = Cell(None, bottom.n)
            continue
        cells[key] = Cell(kpi.measure.scale * float(top or 0) / float(bottom.value or 1), bottom.n)
    return cells


def _fill_empty(
    req: Request, kpi: KpiDefinition, cells: Cells, catalog: dict[str, KpiDefinition]
) -> Cells:
    """Counts and sums are 0 when nothing matched; everything else is null (contract §5)."""
    empty = empty_value(kpi) if supports_scope(kpi, req.scope, catalog) else None
    filled = dict(cells)
    for key, cell in cells.items():
        if cell.value is None and empty is not None:
            filled[key] = Cell(empty, cell.n)
    if req.by is None:
        for window in req.windows:
            if (window.idx, None) not in filled:
                filled[(window.idx, None)] = Cell(empty, 0)
    return filled


def memoise_tables(con: BaseBackend, schemas: dict[Any, Any] | None = None) -> None:
    """Look each table up once per session: a dashboard asks for the same few tables some 250
    times, and every `con.table()` is a catalogue query. The schemas can be shared (`schemas`,
    from another session of the same computation: `SCHEMAS` on its connection), so the
    threads of `in_parallel` do not each ask the catalogue again."""
    known: dict[Any, Any] = {} if schemas is None else schemas
    # Instance attributes, this session only; `con.table()` calls `self.get_schema()`.
    setattr(con, "get_schema", _memoised(con.get_schema, known))  # noqa: B010
    setattr(con, "table", _memoised(con.table, {}))  # noqa: B010
    setattr(con, SCHEMAS, known)


def _memoised(lookup: Callable[..., Any], known: dict[Any, Any]) -> Callable[..., Any]:
    def call(name: str, /, **kwargs: Any) -> Any:
        key = (name, tuple(sorted(kwargs.items())))
        if key not in known:
            known[key] = lookup(name, **kwargs)
        return known[key]

    return call
