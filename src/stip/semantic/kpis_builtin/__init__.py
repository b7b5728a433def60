"""The built-in catalogue's Python KPIs (the escape hatch of docs/kpi-authoring.md).

Importing this package registers every function; the YAML definitions that use them are in
`src/stip/defaults/kpis/catalogue-*.yaml`.
"""

from __future__ import annotations

from stip.semantic.kpis_builtin import finance, people, revenue, tickets, workload

__all__ = ["finance", "people", "revenue", "tickets", "workload"]
