"""docs/kpi-catalogue.md lists every built-in KPI with its English and Dutch name."""

from __future__ import annotations

from pathlib import Path

from stip.semantic.catalog import load_catalog

DOC = Path(__file__).resolve().parents[3] / "docs" / "kpi-catalogue.md"


def test_doc_lists_every_kpi(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    for kpi in load_catalog(home=tmp_path):
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| `{kpi.id}`")), None)
        assert line is not None, f"{kpi.id} missing from {DOC}"
        assert f"| {kpi.name.en} | {kpi.name.nl} |" in line, kpi.id
