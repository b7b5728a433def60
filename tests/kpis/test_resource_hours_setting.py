"""Contract §4: available hours are "overridable per resource". The override is the setting
`resource_hours_per_day` (`stip.toml` or `STIP_RESOURCE_HOURS_PER_DAY`), which a sync cannot
touch: a sync rewrites whole resource rows, and Autotask has no hours-per-day field."""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.errors import ConfigError
from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings, load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .msp_fixture import _resource, build_batch

AS_OF = "2026-10-28T10:00"


def test_the_setting_outlives_a_sync_of_the_resource(tmp_path: Path, catalog: KpiCatalog) -> None:
    """Eva (4): 2.5 billable hours in October, 22 business days. The store holds 4 h a day
    for her until a sync rewrites her row without it; the setting gives 4 h throughout."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    store.apply(build_batch())
    plain = KpiEngine(store, Settings(home=tmp_path / "a"), catalog)
    kept = KpiEngine(store, Settings(home=tmp_path / "b", resource_hours_per_day={4: 4.0}), catalog)

    def eva(engine: KpiEngine) -> float | None:
        rows = engine.values("billable_utilization", "2026-10", by="resource", as_of=AS_OF).rows
        return next(row.value for row in rows if row.by["resource_id"] == 4)

    assert eva(plain) == pytest.approx(250 / 88) and eva(kept) == pytest.approx(250 / 88)
    synced = Batch()
    synced.add("resources", [_resource(4, "Eva", "Jansen", True)])  # as the sync writes it
    store.apply(synced)
    assert eva(plain) == pytest.approx(250 / 176)  # back to the default 8 h
    assert eva(kept) == pytest.approx(250 / 88)


def test_from_stip_toml_and_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stip.toml").write_text("[resource_hours_per_day]\n29682885 = 4\n12 = 6.5\n")
    assert load_settings(tmp_path).resource_hours_per_day == {29682885: 4.0, 12: 6.5}
    monkeypatch.setenv("STIP_RESOURCE_HOURS_PER_DAY", "29682885=5, 7=0")
    monkeypatch.setenv("STIP_AVAILABLE_HOURS_PER_DAY", "7.5")
    settings = load_settings(tmp_path)
    assert settings.resource_hours_per_day == {29682885: 5.0, 7: 0.0}
    assert settings.available_hours_per_day == 7.5
    assert [settings.hours_per_day(r, 6.0) for r in (7, 8, None)] == [0.0, 6.0, 6.0]
    assert settings.hours_per_day(8, None) == 7.5


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[resource_hours_per_day]\n12 = 25\n", "resource 12: 25.0 h is not between 0 and 24"),
        (
            "available_hours_per_day = 30\n",
            "'available_hours_per_day': Input should be less than or equal to 24",
        ),
        ("[resource_hours_per_day]\nanna = 4\n", "resource_hours_per_day.anna"),
        ('resource_hours_per_day = "12:4"\n', "'12:4' is not a list of RESOURCE_ID=HOURS"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "stip.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "stip.toml" in str(caught.value) and message in str(caught.value), caught.value
