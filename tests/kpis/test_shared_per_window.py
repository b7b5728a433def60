"""`shared_per_window`: a call for windows an earlier call computed takes their rows from it,
renumbered, and computes anew when it cannot (another scope, a window not computed)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd

from stip.semantic.kpis_builtin.common import shared_per_window
from stip.semantic.periods import parse_period
from stip.semantic.query import NO_SCOPE, Scope, Window

TZ = ZoneInfo("Europe/Amsterdam")
AS_OF = datetime(2026, 11, 27, 12, 0, tzinfo=TZ)
calls: list[list[int]] = []


@shared_per_window
def _months(ctx: SimpleNamespace) -> pd.DataFrame:
    """One row per window: its index and its month's number."""
    calls.append([w.idx for w in ctx.windows])
    months = [w.period.start.month for w in ctx.windows]
    return pd.DataFrame({"p_idx": [w.idx for w in ctx.windows], "month": months})


def _window(idx: int, month: str) -> Window:
    return Window(idx, parse_period(month, AS_OF, TZ), AS_OF)


def _ctx(con: SimpleNamespace, windows: list[Window], scope: Scope = NO_SCOPE) -> SimpleNamespace:
    return SimpleNamespace(con=con, windows=windows, by=None, scope=scope)


def test_a_computed_window_is_reused_under_its_new_index() -> None:
    con = SimpleNamespace()
    calls.clear()
    wide = [_window(0, "2026-09"), _window(1, "2026-10"), _window(2, "2026-11")]
    _months(_ctx(con, wide))
    frame = _months(_ctx(con, [_window(0, "2026-10"), _window(5, "2026-09")]))
    assert sorted(zip(frame["p_idx"], frame["month"], strict=True)) == [(0, 10), (5, 9)]
    assert calls == [[0, 1, 2]]


def test_a_window_not_computed_or_another_scope_is_computed() -> None:
    con = SimpleNamespace()
    calls.clear()
    _months(_ctx(con, [_window(0, "2026-10")]))
    _months(_ctx(con, [_window(0, "2026-10"), _window(1, "2026-08")]))
    _months(_ctx(con, [_window(0, "2026-10")], Scope(company_id=7)))
    moved = Window(0, parse_period("2026-10", AS_OF, TZ), datetime(2026, 10, 20, tzinfo=TZ))
    _months(_ctx(con, [moved]))
    assert calls == [[0], [0, 1], [0], [0]]


def test_a_request_naming_one_window_twice_is_computed() -> None:
    con = SimpleNamespace()
    calls.clear()
    _months(_ctx(con, [_window(0, "2026-10")]))
    frame = _months(_ctx(con, [_window(0, "2026-10"), _window(1, "2026-10")]))
    assert list(frame["p_idx"]) == [0, 1]
    assert calls == [[0], [0, 1]]
