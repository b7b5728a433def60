"""The KPI engine: values, action lists and dashboard tiles, computed through Ibis and cached.

Results are cached per `(store.data_version(), KPI set, windows, by, scope)`. A "now" as-of is
truncated to the minute and that truncated time is what the result reports and computes
with, so a cached value is always exactly right for the as-of it states.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import reduce
from typing import Any, TypeVar

from ibis.backends import BaseBackend

from stip.errors import QueryError, suggest
from stip.semantic.actions import Found, enrich, find_actions, lookup_labels
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.catalog import KpiCatalog, load_catalog
from stip.semantic.compute import (
    Cell,
    Cells,
    Request,
    accumulates,
    as_of_use,
    compute,
    in_parallel,
    memoise_tables,
    supports_scope,
)
from stip.semantic.expressions import uses_period
from stip.semantic.guardrails import too_few
from stip.semantic.labels import dimension_labels
from stip.semantic.models import DIMENSIONS, KpiDefinition
from stip.semantic.periods import Period, parse_as_of, parse_period, since_1970, trend_periods
from stip.semantic.query import NO_SCOPE, Scope, Window
from stip.semantic.results import ActionList, KpiResult, ResultRow, Tile
from stip.settings import Settings
from stip.store.store import Store

CACHE_SIZE = 50_000
T = TypeVar("T")
TILE_ACTIONS = 3


class KpiEngine:
    def __init__(self, store: Store, settings: Settings, catalog: KpiCatalog | None = None):
        self.store = store
        self.settings = settings
        self.catalog = catalog if catalog is not None else load_catalog(home=settings.home)
        self.calendar = BusinessCalendar(settings)
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    # -- inputs -----------------------------------------------------------------------------

    def as_of(self, as_of: datetime | str | None) -> datetime:
        """An aware as-of in the MSP's zone; "now" is truncated to the minute (cacheable)."""
        if isinstance(as_of, datetime):
            aware = as_of if as_of.tzinfo else as_of.replace(tzinfo=self.settings.tz)
            return aware.astimezone(self.settings.tz)
        if as_of is None:
            return datetime.now(self.settings.tz).replace(second=0, microsecond=0)
        return parse_as_of(as_of, self.settings.tz)

    def period(self, period: Period | str | None, as_of: datetime, kpi: KpiDefinition) -> Period:
        """The period a KPI is computed over: the one asked for (else the KPI's default), made
        whole months for a KPI with `grain: month`."""
        if not isinstance(period, Period):
            period = parse_period(period or kpi.default_period, as_of, self.settings.tz)
        return period.month_grain(as_of) if kpi.grain == "month" else period

    def _check_by(self, kpi: KpiDefinition, by: str | None) -> None:
        if by is None:
            return
        if by not in DIMENSIONS:
            raise QueryError(
                f"--by '{by}' is not a dimension.{suggest(by, DIMENSIONS)} "
                f"Use one of: {', '.join(DIMENSIONS)}"
            )
        if by not in kpi.dimensions:
            allowed = ", ".join(kpi.dimensions) or "none"
            raise QueryError(f"KPI {kpi.id} cannot be split by {by}; it supports: {allowed}")

    # -- computing --------------------------------------------------------------------------

    def _cached(self, version: str, key: tuple[Any, ...], make: Any) -> Any:
        full = (version, *key)
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
        value = make()
        with self._lock:
            self._cache[full] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def _cells(
        self,
        session: _Session,
        kpis: list[KpiDefinition],
        windows: list[Window],
        by: str | None,
        scope: Scope,
    ) -> dict[str, Cells]:
        """Cells per KPI, cached per (KPI, window): only missing pairs are computed (fused).

        A window's key holds its as-of only for KPIs that depend on the as-of (only its local
        date for those that depend on just the date), so moving "now" recomputes just those,
        and only for the windows whose as-of moved.
        """
        catalog = {k.id: k for k in self.catalog}
        result: dict[str, Cells] = {k.id: {} for k in kpis}
        todo_kpis: dict[str, KpiDefinition] = {}
        todo_windows: dict[int, Window] = {}
        for kpi in kpis:
            for window in windows:
                hit = self._peek(self._cell_key(session, kpi, window, by, scope, catalog))
                if hit is None:
                    todo_kpis[kpi.id] = kpi
                    todo_windows[window.idx] = window
                else:
                    result[kpi.id].update({(window.idx, dim): cell for dim, cell in hit.items()})
        if todo_kpis:
            todo = [todo_windows[w.idx] for w in windows if w.idx in todo_windows]
            req = Request(session.con, self.settings, self.calendar, todo, by, scope)
            computed = compute(req, list(todo_kpis.values()), catalog)
            for kpi_id, cells in computed.items():
                per_window: dict[int, dict[int | None, Cell]] = {w.idx: {} for w in todo}
                for (idx, dim), cell in cells.items():
                    per_window[idx][dim] = cell
                for window in todo:
                    key = self._cell_key(session, todo_kpis[kpi_id], window, by, scope, catalog)
                    self._store(key, per_window[window.idx])
                result[kpi_id].update(cells)
        return result

    def _cell_key(
        self,
        session: _Session,
        kpi: KpiDefinition,
        window: Window,
        by: str | None,
        scope: Scope,
        catalog: dict[str, KpiDefinition],
    ) -> tuple[Any, ...]:
        use = as_of_use(kpi, catalog)
        as_of = {"time": window.as_of, "date": window.as_of.date()}.get(use)
        span = (window.period.start, window.period.end, as_of)
        return (session.version, "cell", kpi.id, span, by, scope.key())

    def _peek(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        return None

    def _store(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _missing(self, session: _Session) -> set[str]:
        """`table.column` names that `requires` lists and the store has no value in at all."""

        def make() -> set[str]:
            wanted: dict[str, set[str]] = {}
            for kpi in self.catalog:
                for item in kpi.requires:
                    table, column = item.split(".")
                    wanted.setdefault(table, set()).add(column)
            if not wanted:
                return set()
            # One single-row count per table, cross-joined: one query for all of them.
            parts = []
            for table_name, columns in sorted(wanted.items()):
                table = session.con.table(table_name)
                counts = {f"{table_name}__{c}": table[c].count() for c in sorted(columns)}
                parts.append(table.aggregate(**counts))
            row = reduce(lambda a, b: a.cross_join(b), parts).to_pyarrow().to_pylist()[0]
            return {name.replace("__", ".", 1) for name, count in row.items() if not count}

        result: set[str] = self._cached(session.version, ("missing",), make)
        return result

    def per_version(self, key: str, make: Callable[[BaseBackend], T]) -> T:
        """`make(con)` once per data version (`key` names it): a small lookup beside the KPIs,
        cached as they are."""
        with self._session() as session:
            result: T = self._cached(
                session.version, ("per_version", key), lambda: make(session.con)
            )
        return result

    def missing(self, kpi_ids: list[str]) -> list[str]:
        """The `requires` columns of these KPIs that hold no value anywhere in the store
        (what makes them "no data"), in order."""
        with self._session() as session:
            gone = self._missing(session)
        wanted = [item for kpi_id in kpi_ids for item in self.catalog.get(kpi_id).requires]
        return [item for item in dict.fromkeys(wanted) if item in gone]

    def _has_data(self, session: _Session, kpi: KpiDefinition) -> bool:
        return not any(item in self._missing(session) for item in kpi.requires)

    @contextmanager
    def _session(self) -> Iterator[_Session]:
        """One store connection (and one data-version lookup) per public call, or the one of
        `reading()` around it. The tables' schemas are looked up once per data version."""
        current = _OPEN_SESSION.get()
        if current is not None and current[0] is self:
            yield current[1]
            return
        with self.store.read() as con:
            version = self.store.data_version()
            memoise_tables(con, self._cached(version, ("schemas",), dict))
            session = _Session(con, version)
            token = _OPEN_SESSION.set((self, session))
            try:
                yield session
            finally:
                _OPEN_SESSION.reset(token)

    @contextmanager
    def reading(self) -> Iterator[BaseBackend]:
        """Several public calls on one store connection and one data version, such as a page
        that asks for many periods: each call would otherwise open a connection of its own
        (~30 ms on DuckDB) and could see a newer sync than the call before. Yields the
        connection, for the page's own lookups in the same snapshot."""
        with self._session() as session:
            yield session.con

    # -- public API -------------------------------------------------------------------------

    def values(
        self,
        kpi_id: str,
        period: Period | str | None,
        by: str | None = None,
        as_of: datetime | str | None = None,
        scope: Scope | None = None,
    ) -> KpiResult:
        return self.many_values([kpi_id], period, by, as_of, scope)[0]

    def many_values(
        self,
        kpi_ids: list[str],
        period: Period | str | None,
        by: str | None = None,
        as_of: datetime | str | None = None,
        scope: Scope | None = None,
    ) -> list[KpiResult]:
        """The values of several KPIs (each as `values` gives it), computed together: the
        KPIs of one period share their scans, as a dashboard's tiles do."""
        kpis = [self.catalog.get(kpi_id) for kpi_id in kpi_ids]
        for kpi in kpis:
            self._check_by(kpi, by)
        moment = self.as_of(as_of)
        scope = scope or NO_SCOPE
        spans = {kpi.id: self.period(period, moment, kpi) for kpi in kpis}
        with self._session() as session:
            live = [kpi for kpi in kpis if self._has_data(session, kpi)]
            by_span: dict[Period, list[KpiDefinition]] = {}
            for kpi in live:
                by_span.setdefault(spans[kpi.id], []).append(kpi)
            cells: dict[str, Cells] = {}
            for span, group in by_span.items():
                cells.update(self._cells(session, group, [Window(0, span, moment)], by, scope))
            empty: Cells = {(0, None): Cell(None, 0)} if by is None else {}
            names: dict[int, str] = {}
            if by is not None:
                dims = frozenset(dim for got in cells.values() for _, dim in got)
                names = self._cached(
                    session.version,
                    ("labels", by, dims),
                    lambda: dimension_labels(session.con, by, dims) if dims else {},
                )
            return [
                KpiResult(
                    kpi,
                    spans[kpi.id],
                    moment,
                    _rows(kpi, cells.get(kpi.id, empty), by, names),
                    kpi.id not in cells,
                )
                for kpi in kpis
            ]

    def history(
        self,
        kpi_ids: list[str],
        periods: list[Period],
        by: str,
        as_of: datetime | str | None = None,
        scope: Scope | None = None,
    ) -> dict[str, list[dict[int | None, Cell]] | None]:
        """Per KPI, its cells per dimension id for each of `periods` (in order), computed
        together; None for a KPI whose data the store lacks. A KPI with `grain: month` reads
        the whole month of a part of one (as `values` does). A dimension id without records
        is absent: its value is the KPI's empty value (`empty_value`)."""
        kpis = [self.catalog.get(kpi_id) for kpi_id in kpi_ids]
        for kpi in kpis:
            self._check_by(kpi, by)
        moment = self.as_of(as_of)
        groups: dict[tuple[Period, ...], list[KpiDefinition]] = {}
        for kpi in kpis:
            spans = tuple(self.period(p, moment, kpi) for p in periods)
            groups.setdefault(spans, []).append(kpi)
        cells: dict[str, Cells] = {}
        with self._session() as session:
            for spans, group in groups.items():
                live = [kpi for kpi in group if self._has_data(session, kpi)]
                windows = [Window(i, p, min(moment, p.end)) for i, p in enumerate(spans)]
                if live:
                    cells.update(self._cells(session, live, windows, by, scope or NO_SCOPE))
        out: dict[str, list[dict[int | None, Cell]] | None] = {}
        for kpi in kpis:
            got = cells.get(kpi.id)
            if got is None:
                out[kpi.id] = None
                continue
            per_window: list[dict[int | None, Cell]] = [{} for _ in periods]
            for (idx, dim), cell in got.items():
                per_window[idx][dim] = cell
            out[kpi.id] = per_window
        return out

    def actions(
        self,
        kpi_id: str,
        period: Period | str | None = None,
        as_of: datetime | str | None = None,
        scope: Scope | None = None,
        limit: int | None = None,
    ) -> ActionList:
        """Every record behind the KPI that someone must act on, or the first `limit`."""
        kpi = self.catalog.get(kpi_id)
        moment = self.as_of(as_of)
        span = self.period(period, moment, kpi)
        scope = scope or NO_SCOPE
        if kpi.actions is None:
            return ActionList(kpi, moment, span, [])
        with self._session() as session:
            rows = self._action_rows(session, kpi, span, moment, scope, limit)
        return ActionList(kpi, moment, span, rows)

    def _action_rows(
        self,
        session: _Session,
        kpi: KpiDefinition,
        span: Period,
        moment: datetime,
        scope: Scope,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        return self._many_action_rows(session, [(kpi, span)], moment, scope, limit)[kpi.id]

    def _many_action_rows(
        self,
        session: _Session,
        wanted: list[tuple[KpiDefinition, Period]],
        moment: datetime,
        scope: Scope,
        limit: int | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Action rows per KPI id, cached per KPI and as-of use; the names behind the lists
        not cached yet are looked up together (one query per kind of name)."""
        out: dict[str, list[dict[str, Any]]] = {}
        keys: dict[str, tuple[Any, ...]] = {}
        todo: list[KpiDefinition] = []
        jobs: list[Callable[[BaseBackend], Found | None]] = []
        for kpi, span in wanted:
            anchor = _action_as_of(kpi, moment)
            key = (session.version, "actions", kpi.id, span.start, span.end, anchor)
            keys[kpi.id] = (*key, scope.key(), limit)
            hit = self._peek(keys[kpi.id])
            if hit is not None:
                out[kpi.id] = hit
                continue
            todo.append(kpi)
            jobs.append(self._find_job(kpi, Window(0, span, moment), scope, limit))
        results = in_parallel(session.con, jobs)
        for kpi, one in zip(todo, results, strict=True):
            if one is None:
                out[kpi.id] = []
                self._store(keys[kpi.id], [])
        found = [one for one in results if one is not None]
        if found:
            names = lookup_labels(session.con, found)
            for one in found:
                out[one.kpi.id] = enrich(one, names, self.settings)
                self._store(keys[one.kpi.id], out[one.kpi.id])
        return out

    def _find_job(
        self, kpi: KpiDefinition, window: Window, scope: Scope, limit: int | None
    ) -> Callable[[BaseBackend], Found | None]:
        settings, calendar = self.settings, self.calendar
        return lambda con: find_actions(con, settings, calendar, kpi, window, scope, limit)

    def tiles(
        self,
        kpi_ids: list[str],
        period: Period | str | None,
        as_of: datetime | str | None = None,
        scope: Scope | None = None,
        trend_points: int = 12,
    ) -> list[Tile]:
        """One tile per KPI; all values, comparisons and trends in one fused computation."""
        kpis = [self.catalog.get(kpi_id) for kpi_id in kpi_ids]
        moment = self.as_of(as_of)
        scope = scope or NO_SCOPE
        with self._session() as session:
            return self._tiles(session, kpis, period, moment, scope, trend_points)

    def _tiles(
        self,
        session: _Session,
        kpis: list[KpiDefinition],
        period: Period | str | None,
        moment: datetime,
        scope: Scope,
        trend_points: int,
    ) -> list[Tile]:
        by_period: dict[tuple[datetime, datetime], list[KpiDefinition]] = {}
        spans: dict[str, Period] = {}
        for kpi in kpis:
            span = self.period(period, moment, kpi)
            spans[kpi.id] = span
            by_period.setdefault((span.start, span.end), []).append(kpi)
        data_as_of = self._data_as_of(session)
        values: dict[str, _Compared] = {}
        catalog = {k.id: k for k in self.catalog}
        for group in by_period.values():
            plan = _windows(spans[group[0].id], moment, max(trend_points, 2), data_as_of)
            live = [k for k in group if self._has_data(session, k)]
            cells = self._cells(session, live, plan.whole, None, scope) if live else {}
            # A total so far this week is compared with the same days of last week, not
            # with all of it; a KPI billed per whole month (`grain: month`) never with a part.
            partial = {
                k.id: k
                for k in live
                if plan.so_far is not None and k.grain != "month" and accumulates(k, catalog)
            }
            if partial:
                parts = self._cells(session, list(partial.values()), plan.parts, None, scope)
                for kpi_id, more in parts.items():
                    cells[kpi_id] = {**cells[kpi_id], **more}
            for kpi in group:
                values[kpi.id] = plan.read(cells.get(kpi.id, {}), kpi.id in partial)
        # a person's, team's or client's value on too few records is shown, not judged
        few = {
            kpi.id: bool(scope.dims)
            and too_few(kpi, values[kpi.id].current.value, values[kpi.id].current.n)
            for kpi in kpis
        }
        statuses = {
            kpi.id: "none"
            if few[kpi.id]
            else kpi.status(_as_float(values[kpi.id].current.value), kpi.target, kpi.amber)
            for kpi in kpis
        }
        acting = [
            (kpi, spans[kpi.id])
            for kpi in kpis
            if statuses[kpi.id] in ("amber", "red") and kpi.has_actions
        ]
        actions = self._many_action_rows(session, acting, moment, scope, limit=TILE_ACTIONS)
        tiles = []
        for kpi in kpis:
            got = values[kpi.id]
            tile = Tile(
                kpi=kpi,
                period=spans[kpi.id],
                as_of=moment,
                value=got.current.value,
                n=got.current.n,
                target=kpi.target,
                amber=kpi.amber,
                status=statuses[kpi.id],
                previous=got.previous,
                last_year=got.last_year,
                trend=got.trend[-trend_points:] if trend_points > 0 else [],
                data_as_of=data_as_of,
                no_data=not self._has_data(session, kpi),
                previous_period=got.previous_period,
                last_year_period=got.last_year_period,
                out_of_scope=not supports_scope(kpi, scope, catalog),
                few=few[kpi.id],
            )
            if kpi.id in actions:
                tile.actions = actions[kpi.id]
            tiles.append(tile)
        return tiles

    def data_as_of(self) -> datetime | None:
        """Freshness: the newest sync's data time, else the newest ticket or time entry."""
        with self._session() as session:
            return self._data_as_of(session)

    def _data_as_of(self, session: _Session) -> datetime | None:
        def make() -> datetime | None:
            con = session.con
            state = con.table("sync_state")
            newest = (
                state.aggregate(a=state.data_as_of.max(), b=state.last_run_finished.max())
                .to_pyarrow()
                .to_pylist()[0]
            )
            found = newest["a"] or newest["b"]
            if found is None:
                tickets = con.table("tickets")
                entries = con.table("time_entries")
                both = [
                    tickets.aggregate(m=tickets.create_date.max()),
                    entries.aggregate(m=entries.create_date_time.max()),
                ]
                candidates = [expr.to_pyarrow().to_pylist()[0]["m"] for expr in both]
                found = max((c for c in candidates if c is not None), default=None)
            if found is None:
                return None
            return found.replace(tzinfo=UTC).astimezone(self.settings.tz)

        result: datetime | None = self._cached(session.version, ("data_as_of",), make)
        return result


@dataclass(frozen=True)
class _Session:
    con: BaseBackend
    version: str


#: The session `KpiEngine.reading()` holds open in this thread (or task), with its engine.
_OPEN_SESSION: ContextVar[tuple[KpiEngine, _Session] | None] = ContextVar(
    "stip_engine_session", default=None
)


@dataclass(frozen=True)
class _Compared:
    """A tile's numbers: the trend (oldest first, ending with the current value), the
    current cell, and the values it is compared with, with their periods."""

    trend: list[float | int | None]
    current: Cell
    previous: float | int | None
    previous_period: Period | None
    last_year: float | int | None
    last_year_period: Period | None


@dataclass(frozen=True)
class _Plan:
    """The windows behind the tiles of one period: the trend, last year's period and, for a
    running calendar period, the same part so far (`Period.so_far`) of the period before and
    of last year's. Windows before 1970 are None (`trend_periods`)."""

    trend: list[Window | None]
    last_year: Window | None
    so_far: tuple[Window | None, Window | None] | None

    @property
    def whole(self) -> list[Window]:
        return [w for w in (*self.trend, self.last_year) if w is not None]

    @property
    def parts(self) -> list[Window]:
        return [w for w in self.so_far or () if w is not None]

    def read(self, cells: Cells, like_for_like: bool) -> _Compared:
        nothing = Cell(None, 0)

        def at(window: Window | None) -> Cell:
            return nothing if window is None else cells.get((window.idx, None), nothing)

        previous, last_year = self.trend[-2], self.last_year
        if like_for_like and self.so_far is not None:
            previous, last_year = self.so_far
        return _Compared(
            trend=[at(w).value for w in self.trend],
            current=at(self.trend[-1]),
            previous=at(previous).value,
            previous_period=None if previous is None else previous.period,
            last_year=at(last_year).value,
            last_year_period=None if last_year is None else last_year.period,
        )


def _windows(span: Period, as_of: datetime, points: int, data_as_of: datetime | None) -> _Plan:
    """The plan of windows. The part so far is compared only while the data ends within the
    as-of's day, as it does for "now": with an as-of in the past the store also holds the
    rest of the period, which the value counts (a period is never cut at the as-of), so a
    part would be compared with the whole."""
    trend: list[Window | None] = [
        None if p is None else Window(i, p, as_of if p is span else min(as_of, p.end))
        for i, p in enumerate(trend_periods(span, points))
    ]

    def past(idx: int, period: Period | None) -> Window | None:
        return None if period is None else Window(idx, period, min(as_of, period.end))

    last_year = past(len(trend), since_1970(span.last_year()))
    part = span.so_far(as_of)
    if part is None or (data_as_of is not None and data_as_of >= part.end):
        return _Plan(trend, last_year, None)
    before = past(len(trend) + 1, since_1970(part.previous()))
    return _Plan(trend, last_year, (before, past(len(trend) + 2, since_1970(part.last_year()))))


def _action_as_of(kpi: KpiDefinition, moment: datetime) -> datetime | date | None:
    """What of the as-of a KPI's action rows depend on (only through their conditions), so
    a moving "now" reuses a cached list: the time, the local date, or nothing."""
    spec = kpi.actions
    texts = [*(spec.where or [] if spec else []), *kpi.measure.where]
    if any(uses_period(text, only=("as_of",)) for text in texts):
        return moment
    if any(uses_period(text, only=("as_of_date",)) for text in texts):
        return moment.date()
    return None


def _as_float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _rows(
    kpi: KpiDefinition, cells: Cells, by: str | None, names: dict[int, str]
) -> list[ResultRow]:
    """A KPI's result rows, ordered by dimension id (the null group last); `names` are the
    dimension's labels."""
    rows = []
    ordered = sorted(cells.items(), key=lambda kv: (kv[0][1] is None, kv[0][1] or 0))
    for (_, dim), cell in ordered:
        by_json: dict[str, Any] = {}
        if by is not None:
            by_json = {f"{by}_id": dim, by: names.get(dim) if dim is not None else None}
        status = kpi.status(_as_float(cell.value), kpi.target, kpi.amber)
        rows.append(ResultRow(by_json, cell.value, cell.n, kpi.target, status))
    return rows
