"""`stip kpi list --json` shows the whole built-in catalogue, complete and bilingual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

GROUPS = {
    "ticket_flow",
    "responsiveness",
    "workload",
    "customer_experience",
    "revenue",
    "profitability",
    "people",
}
ROLES = {"engineer", "teamlead", "service_manager", "account_manager", "finance", "owner"}


def _list(home: Path) -> list[dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STIP_")}
    env["STIP_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "stip", "kpi", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    kpis: list[dict[str, object]] = json.loads(done.stdout)["kpis"]
    return kpis


def test_list_has_at_least_80_complete_kpis(tmp_path: Path) -> None:
    kpis = _list(tmp_path)
    assert len(kpis) >= 80
    assert len({k["id"] for k in kpis}) == len(kpis)
    for kpi in kpis:
        for key in ("name_en", "name_nl", "unit", "description", "description_nl"):
            assert isinstance(kpi[key], str) and kpi[key], (kpi["id"], key)
        assert kpi["name_en"] != kpi["name_nl"], kpi["id"]
        assert kpi["direction"] in ("higher_better", "lower_better"), kpi["id"]
        assert isinstance(kpi["has_actions"], bool), kpi["id"]
        roles = kpi["roles"]
        assert isinstance(roles, list) and roles and set(roles) <= ROLES, kpi["id"]
        assert kpi["group"] in GROUPS, kpi["id"]


def test_all_groups_and_roles_are_covered(tmp_path: Path) -> None:
    kpis = _list(tmp_path)
    assert {k["group"] for k in kpis} == GROUPS
    per_role = Counter(role for k in kpis for role in k["roles"])  # type: ignore[attr-defined]
    assert set(per_role) == ROLES
    # the team-lead, service-manager and owner dashboards hold at least 70 tiles each
    for role in ("teamlead", "service_manager", "owner"):
        assert per_role[role] >= 75, (role, per_role[role])
    assert sum(1 for k in kpis if k["has_actions"]) >= 15
