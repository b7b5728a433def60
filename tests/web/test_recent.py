"""The scoped views the warm-up keeps warm: newest first, at most `limit` (the
`warm_scoped_views` setting), none older than `keep_seconds`."""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.app import Stip
from stip.errors import ConfigError
from stip.semantic.query import Scope
from stip.settings import load_settings
from stip.web import recent
from stip.web.app import build_state
from stip.web.recent import RecentViews, ScopedView


def _view(resource_id: int, period: str = "this-week") -> ScopedView:
    return ScopedView("engineer", ("open_backlog",), period, Scope(resource_id=resource_id))


def test_newest_first_and_at_most_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(100))
    monkeypatch.setattr(recent.time, "monotonic", lambda: float(next(clock)))
    views = RecentViews(limit=2, keep_seconds=1000)
    views.saw(_view(1))
    views.saw(_view(2))
    views.saw(_view(1))  # seen again: the newest now
    assert views.current() == [_view(1), _view(2)]
    views.saw(_view(3))  # over the limit: the one seen longest ago goes
    assert views.current() == [_view(3), _view(1)]
    assert _view(3).label == "engineer (resource 3, this-week)"


def test_views_not_seen_within_keep_seconds_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: now[0])
    views = RecentViews(limit=10, keep_seconds=60)
    views.saw(_view(1))
    now[0] = 30.0
    views.saw(_view(2, "this-month"))
    now[0] = 61.0
    assert views.current() == [_view(2, "this-month")]
    now[0] = 200.0
    assert views.current() == []


def test_the_setting_bounds_what_serve_keeps_and_zero_keeps_nothing(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_state(Stip(load_settings())).recent.limit == 100
    monkeypatch.setenv("STIP_WARM_SCOPED_VIEWS", "0")
    views = build_state(Stip(load_settings())).recent
    views.saw(_view(1))
    assert views.current() == []


@pytest.mark.parametrize("value", ["-1", "many"])
def test_a_bad_cap_is_a_clear_settings_error(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("STIP_WARM_SCOPED_VIEWS", value)
    with pytest.raises(
        ConfigError,
        match=r"environment variable STIP_WARM_SCOPED_VIEWS \(setting 'warm_scoped_views'\): ",
    ):
        load_settings()
