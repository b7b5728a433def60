from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from stip.dashboards.loader import load_dashboard
from stip.dashboards.registry import DEFAULTS_DIR, DashboardRegistry
from stip.errors import DefinitionError, QueryError

KPIS = {"open_backlog", "overdue_tickets", "sla_met_rate", "effective_hourly_rate"}

GOOD = """\
kind: Dashboard
version: 1
id: wall
role: teamlead
title: {en: Wall, nl: Muur}
filters:
  period: {default: this-week}
elements:
  backlog: {kpi: open_backlog}
  overdue: {kpi: overdue_tickets, size: l, title: {en: Late, nl: Te laat}}
layout:
  - heading: {en: Queue, nl: Wachtrij}
    rows:
      - [backlog, overdue]
"""


def _write(tmp_path: Path, text: str, name: str = "wall.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_definition_loads(tmp_path: Path) -> None:
    dashboard = load_dashboard(_write(tmp_path, GOOD), KPIS)
    assert dashboard.tile_names() == ["backlog", "overdue"]
    assert dashboard.kpi_ids() == ["open_backlog", "overdue_tickets"]
    assert dashboard.elements["overdue"].title is not None
    assert dashboard.elements["overdue"].title.get("nl") == "Te laat"
    assert dashboard.filters.period.default == "this-week"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("open_backlog}", "open_backlogg}"),
            "wall.yaml:9: tile 'backlog' refers to unknown KPI 'open_backlogg'. "
            "Did you mean 'open_backlog'?",
        ),
        (
            ("[backlog, overdue]", "[backlog, overdu]"),
            "wall.yaml:14: layout refers to unknown tile 'overdu'. Did you mean 'overdue'?",
        ),
        (
            ("[backlog, overdue]", "[backlog, overdue, backlog]"),
            "wall.yaml:14: tile 'backlog' is placed twice",
        ),
        (
            ("[backlog, overdue]", "[overdue]"),
            "wall.yaml:9: tile 'backlog' is declared but not placed in the layout",
        ),
        (("role: teamlead", "role: boss"), "wall.yaml:4: role: Input should be"),
        (("size: l", "size: xl"), "wall.yaml:10: elements.overdue.size: Input should be"),
        (("filters:", "filterz:"), "wall.yaml:6: filterz: unknown field 'filterz'"),
        (
            ("default: this-week", "default: next-week"),
            "wall.yaml:7: filters.period.default: period 'next-week' is not valid",
        ),
        (("{en: Wall, nl: Muur}", "{en: Wall}"), "wall.yaml:5: title.nl: Field required"),
        (("rows:", "rows: [oops"), "wall.yaml:14: invalid YAML"),
        (("id: wall", "id: wall\nid: wall2"), "wall.yaml:4: invalid YAML: 'id' is given twice"),
    ],
)
def test_mistakes_name_file_line_and_fix(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(DefinitionError) as info:
        load_dashboard(path, KPIS)
    assert str(info.value).startswith(str(tmp_path) + "/" + expected), str(info.value)


def test_shipped_defaults_have_role_ids_and_load_against_the_catalogue() -> None:
    from stip.semantic.catalog import load_catalog

    registry = DashboardRegistry(None, set(load_catalog(home=Path("/nonexistent")).ids()))
    dashboards = {d.id: d for d in registry.all()}
    assert set(dashboards) >= {
        "engineer",
        "teamlead",
        "service_manager",
        "account_manager",
        "finance",
        "owner",
    }
    for role in ("engineer", "teamlead", "service_manager", "account_manager", "finance", "owner"):
        assert dashboards[role].role == role
        assert (DEFAULTS_DIR / f"{role}.yaml").exists()
    assert dashboards["engineer"].filters.personal


def test_user_files_override_and_add_and_reload_on_change(tmp_path: Path) -> None:
    user_dir = tmp_path / "dashboards"
    user_dir.mkdir()
    registry = DashboardRegistry(user_dir, None)
    assert registry.require("teamlead").title.en == "Team lead"
    override = GOOD.replace("id: wall", "id: teamlead").replace("{en: Wall,", "{en: Our wall,")
    _write(user_dir, override, "teamlead.yaml")
    _write(user_dir, GOOD, "wall.yaml")
    assert registry.require("teamlead").title.en == "Our wall"
    assert registry.require("wall").tile_count == 2
    # an edit shows up without a restart
    later = time.time() + 5
    (user_dir / "wall.yaml").write_text(GOOD.replace("{en: Wall,", "{en: Wall 2,"))
    os.utime(user_dir / "wall.yaml", (later, later))
    assert registry.require("wall").title.en == "Wall 2"
    # a broken user file is skipped and reported, the rest keeps working
    (user_dir / "wall.yaml").write_text(GOOD.replace("[backlog, overdue]", "[nope]"))
    os.utime(user_dir / "wall.yaml", (later + 5, later + 5))
    assert registry.get("wall") is None
    assert registry.issues and "unknown tile 'nope'" in registry.issues[0]
    assert registry.require("teamlead").title.en == "Our wall"
    with pytest.raises(QueryError, match="unknown dashboard 'wal'. Did you mean 'teamlead'|wal"):
        registry.require("wal")


def test_two_user_files_with_one_id_are_reported(tmp_path: Path) -> None:
    """One silently replaced the other: an edit seemed to do nothing, and nothing said why."""
    user_dir = tmp_path / "dashboards"
    user_dir.mkdir()
    _write(user_dir, GOOD, "a.yaml")
    _write(user_dir, GOOD.replace("{en: Wall,", "{en: Wall B,"), "b.yaml")
    registry = DashboardRegistry(user_dir, None)
    assert registry.require("wall").title.en == "Wall"
    line = next(n for n, text in enumerate(GOOD.splitlines(), 1) if text.startswith("id:"))
    assert registry.issues == [
        f"{user_dir / 'b.yaml'}:{line}: dashboard id 'wall' is also used by "
        f"{user_dir / 'a.yaml'}:{line}; give one of them another id (this file is skipped)"
    ]


def test_tiles_are_checked_again_when_the_kpi_ids_change(tmp_path: Path) -> None:
    user_dir = tmp_path / "dashboards"
    user_dir.mkdir()
    _write(user_dir, GOOD, "wall.yaml")
    known = {"open_backlog"}
    (tmp_path / "no-defaults").mkdir()
    registry = DashboardRegistry(user_dir, lambda: known, defaults_dir=tmp_path / "no-defaults")
    assert registry.get("wall") is None
    assert "unknown KPI 'overdue_tickets'" in registry.issues[0]
    known = {"open_backlog", "overdue_tickets"}
    assert registry.require("wall").tile_count == 2
    assert registry.issues == []


def test_a_file_that_cannot_be_read_is_skipped_like_any_mistake(tmp_path: Path) -> None:
    """A non-UTF-8 file or a folder named *.yaml made every dashboard page an HTTP 500."""
    user_dir = tmp_path / "dashboards"
    user_dir.mkdir()
    (user_dir / "finance.yaml").write_bytes(GOOD.replace("Muur", "Financiën").encode("cp1252"))
    (user_dir / "folder.yaml").mkdir()
    _write(user_dir, GOOD.replace("id: wall", "id: fine"), "fine.yaml")
    registry = DashboardRegistry(user_dir, None)
    assert registry.require("fine").tile_count == 2
    assert sorted(registry.issues) == [
        f"{user_dir / 'finance.yaml'}:5: not UTF-8 text; save the file as UTF-8",
        f"{user_dir / 'folder.yaml'}:1: cannot be read: Is a directory",
    ]
