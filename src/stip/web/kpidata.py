"""The web app's one door to the KPI engine and catalogue (it computes nothing itself).

Periods and as-of times are parsed here from URL parameters, so every page and the API treat
`period=` and `as_of=` alike; the engine is built once per process and reused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from stip.accounts.roles import can_see_money, is_money_kpi
from stip.errors import DefinitionError
from stip.semantic.catalog import KpiCatalog, kpi_files_stamp, load_catalog
from stip.semantic.models import KpiDefinition
from stip.semantic.periods import Period, parse_as_of, parse_period
from stip.semantic.portfolio import Portfolio, portfolio
from stip.semantic.pricing import Simulation, simulate
from stip.semantic.query import Scope
from stip.semantic.results import Tile
from stip.stamps import file_stamp

if TYPE_CHECKING:
    from stip.app import Stip
    from stip.semantic.engine import KpiEngine

log = logging.getLogger("stip.web")
T = TypeVar("T")
#: `sync_runs.status` of a run that did not load everything (docs/autotask.md).
FAILED_RUNS = ("error", "partial", "interrupted")


class KpiData:
    """The catalogue and engine, loaded again when a file in `$STIP_HOME/kpis/` changes (the
    same on-the-next-request rule as dashboard files). A changed folder with a mistake keeps
    the definitions in use and logs the problem; at start it is an error."""

    def __init__(self, stip: Stip) -> None:
        self.stip = stip
        self._lock = threading.Lock()
        self._stamped_lock = threading.Lock()
        self._stamped: dict[str, tuple[Any, Any]] = {}  # name -> (data stamp, value)
        self._loaded: tuple[Any, KpiCatalog, KpiEngine] | None = None
        self._current()

    @property
    def catalog(self) -> KpiCatalog:
        return self._current()[1]

    @property
    def engine(self) -> KpiEngine:
        return self._current()[2]

    def kpi_ids(self) -> set[str]:
        return set(self.catalog.ids())

    def _current(self) -> tuple[Any, KpiCatalog, KpiEngine]:
        from stip.semantic.engine import KpiEngine

        home = self.stip.settings.home
        stamp = kpi_files_stamp(home)
        with self._lock:
            if self._loaded is None or self._loaded[0] != stamp:
                try:
                    catalog = load_catalog(home=home)
                except DefinitionError as exc:
                    if self._loaded is None:
                        raise
                    log.warning("KPI files not loaded again, the previous ones stay: %s", exc)
                    self._loaded = (stamp, *self._loaded[1:])
                else:
                    engine = KpiEngine(self.stip.store, self.stip.settings, catalog)
                    self._loaded = (stamp, catalog, engine)
            return self._loaded

    def kpi(self, kpi_id: str) -> KpiDefinition:
        """The definition; raises `QueryError` (with did-you-mean) for an unknown id."""
        return self.catalog.get(kpi_id)

    def is_money(self, kpi: KpiDefinition) -> bool:
        return is_money_kpi(kpi.id, kpi.unit)

    def may_see(self, role: str, kpi: KpiDefinition, *, actions: bool = False) -> bool:
        """Whether `role` may see the KPI, or with `actions` its action rows: money (a KPI in
        euros, action rows that name amounts) is for the money roles."""
        money = self.is_money(kpi) or (actions and kpi.actions is not None and kpi.actions.money)
        return not money or can_see_money(role)

    def shown(self, role: str, kpi: KpiDefinition, tile: Tile) -> Tile:
        """The tile as `role` sees it: without action rows that name amounts it may not see."""
        return tile if self.may_see(role, kpi, actions=True) else replace(tile, actions=[])

    def as_of(self, text: str | None) -> datetime:
        """The as-of time; "now" is truncated to the minute so results cache well."""
        if text:
            return parse_as_of(text, self.stip.settings.tz)
        return self.engine.as_of(None)

    def live_as_of(self) -> datetime:
        """The as-of of a live view: the data's own time (the last sync), never later than now.

        Figures are then as of the moment the data describes, and they stay cached until the
        next sync instead of being recomputed every minute.
        """
        now = self.engine.as_of(None)
        data_time = self._data_as_of()
        if data_time is None or data_time >= now:
            return now
        return self.engine.as_of(data_time.replace(second=0, microsecond=0))

    def data_stamp(self) -> tuple[Any, ...]:
        """Changes whenever the store's data or the KPI definitions may have changed; cheap
        enough for every request.

        For a DuckDB file it is the size and modification time of the file and its write-ahead
        log (no connection is opened); for PostgreSQL the store's data version. The KPI part
        is the catalogue in use, so views built with older definitions are not reused.
        """
        definitions = self._current()[0]
        path = self.stip.store.path
        if path is None:
            return ("version", self.stip.store.data_version(), definitions)
        wal = path.with_name(path.name + ".wal")
        return (file_stamp(path), file_stamp(wal), definitions)

    def _per_stamp(self, name: str, make: Callable[[], T]) -> T:
        """`make()`, computed again only when the data stamp changes (one store read per data
        change instead of one per request)."""
        stamp = self.data_stamp()
        with self._stamped_lock:
            known = self._stamped.get(name)
        if known is not None and known[0] == stamp:
            value: T = known[1]
            return value
        value = make()
        with self._stamped_lock:
            self._stamped[name] = (stamp, value)
        return value

    def _data_as_of(self) -> datetime | None:
        return self._per_stamp("data_as_of", lambda: self.engine.data_as_of())

    def failed_sync(self) -> tuple[datetime, str] | None:
        """When the newest sync or import failed (or stopped part-way): its time (naive UTC)
        and message, so live views can say that their data is older than they may think."""
        return self._per_stamp("failed_sync", self._newest_failed_run)

    def _newest_failed_run(self) -> tuple[datetime, str] | None:
        with self.stip.store.read() as con:
            runs = con.table("sync_runs")
            newest = runs.order_by(runs.id.desc()).limit(1).to_pyarrow().to_pylist()
        if not newest or newest[0]["status"] not in FAILED_RUNS:
            return None
        run = newest[0]
        return run["finished"] or run["started"], str(run["message"] or run["status"])

    def period(self, spec: str, as_of: datetime) -> Period:
        return parse_period(spec, as_of, self.stip.settings.tz)

    def tiles(
        self, kpi_ids: list[str], period: Period, as_of: datetime, scope: Scope | None
    ) -> list[Any]:
        return list(self.engine.tiles(kpi_ids, period, as_of=as_of, scope=scope))

    def portfolio(
        self,
        clients: list[tuple[int, str]],
        columns: list[str],
        period: Period,
        as_of: datetime,
        judge: bool,
    ) -> Portfolio:
        return portfolio(self.engine, clients, columns, period, as_of, judge)

    def simulate(
        self, clients: list[tuple[int, str]], price: float, period: Period, as_of: datetime
    ) -> Simulation:
        band = self.stip.settings.reprice_band
        return simulate(self.engine, clients, price, band, period, as_of)

    def values(
        self,
        kpi_id: str,
        period: Period,
        as_of: datetime,
        by: str | None = None,
        scope: Scope | None = None,
    ) -> Any:
        return self.engine.values(kpi_id, period, by=by, as_of=as_of, scope=scope)

    def actions(
        self,
        kpi_id: str,
        period: Period | None,
        as_of: datetime,
        scope: Scope | None,
        limit: int | None = None,
    ) -> Any:
        return self.engine.actions(kpi_id, period, as_of=as_of, scope=scope, limit=limit)
