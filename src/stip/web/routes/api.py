"""JSON API under `/api/v1/` (contract §2 shapes), bearer-token auth, JSON errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from stip.accounts import roles
from stip.web.deps import ApiUser, State
from stip.web.errors import BadRequest, Forbidden, NotFound
from stip.web.routes.clients import client_portfolio
from stip.web.routes.dashboards import dashboard_for
from stip.web.routes.deliverables import deliverables_json
from stip.web.routes.goals import goals_json
from stip.web.routes.kpis import check_kpi_access
from stip.web.routes.pricing import simulation
from stip.web.scope import resolve_scope, resolve_when

router = APIRouter(prefix="/api/v1", tags=["v1"])

PeriodQ = Query(None, description="Period SPEC, e.g. 2026-10, 2026-W43, this-month, last-7-days")
AsOfQ = Query(None, description="ISO time to compute as of (default: now)")
ResourceQ = Query(None, description="Scope to one person (PSA resource id)")
TeamQ = Query(None, description="Scope to one team (PSA department id)")
CompanyQ = Query(None, description="Scope to one client (PSA company id)")


@router.get("/dashboards", summary="The dashboards this token's user may open")
def list_dashboards(request: Request, state: State, user: ApiUser) -> dict[str, Any]:
    return {
        "dashboards": [
            {"id": d.id, "title": d.title.en, "role": d.role, "tiles": d.tile_count}
            for d in state.dashboards.all()
            if roles.can_view_dashboard(user.role, d.role)
        ]
    }


@router.get("/dashboards/{dashboard_id}", summary="One dashboard's tiles for a period")
def get_dashboard(
    dashboard_id: str,
    state: State,
    user: ApiUser,
    period: str | None = PeriodQ,
    as_of: str | None = AsOfQ,
    resource: str | None = ResourceQ,
    team: str | None = TeamQ,
    company: str | None = CompanyQ,
) -> dict[str, Any]:
    dashboard = dashboard_for(state, user, dashboard_id)
    scope = resolve_scope(user, dashboard.filters.personal, resource, team, state.people, company)
    when = resolve_when(
        state.kpis, period, None, as_of, dashboard.filters.period.default, now_by_default=True
    )
    kpis = [state.kpis.kpi(k) for k in dashboard.kpi_ids()]
    kpis = [k for k in kpis if state.kpis.may_see(user.role, k)]
    tiles = state.kpis.tiles([k.id for k in kpis], when.period, when.as_of, scope.to_engine())
    return {
        "id": dashboard.id,
        "period": when.period.to_json(),
        "tiles": [
            {
                "kpi": kpi.id,
                "value": tile.value,
                "unit": kpi.unit,
                "target": tile.target,
                "status": tile.status,
            }
            for kpi, tile in zip(kpis, tiles, strict=True)
        ],
    }


@router.get("/kpis/{kpi_id}/values", summary="KPI values (the shape of `stip kpi values --json`)")
def kpi_values(
    kpi_id: str,
    state: State,
    user: ApiUser,
    period: str | None = PeriodQ,
    by: str | None = Query(None, description="resource, company, queue, priority or team"),
    as_of: str | None = AsOfQ,
    resource: str | None = ResourceQ,
    team: str | None = TeamQ,
    company: str | None = CompanyQ,
) -> dict[str, Any]:
    kpi = state.kpis.kpi(kpi_id)
    check_kpi_access(user, kpi, state)
    scope = resolve_scope(user, False, resource, team, state.people, company)
    if by in ("resource", "team") and not roles.can_see_others(user.role):
        raise Forbidden("you can only see your own figures")
    if by is not None and by not in kpi.dimensions:
        known = ", ".join(kpi.dimensions) or "none"
        raise BadRequest(f"KPI {kpi.id} has no dimension '{by}'; use one of: {known}")
    when = resolve_when(state.kpis, period, None, as_of, kpi.default_period, now_by_default=True)
    result: dict[str, Any] = state.kpis.values(
        kpi.id, when.period, when.as_of, by, scope.to_engine()
    ).to_json()
    return result


@router.get("/kpis/{kpi_id}/actions", summary="The records behind a KPI that someone must act on")
def kpi_actions(
    kpi_id: str,
    state: State,
    user: ApiUser,
    period: str | None = PeriodQ,
    as_of: str | None = AsOfQ,
    resource: str | None = ResourceQ,
    team: str | None = TeamQ,
    company: str | None = CompanyQ,
) -> dict[str, Any]:
    kpi = state.kpis.kpi(kpi_id)
    check_kpi_access(user, kpi, state, actions=True)
    if not kpi.has_actions:
        raise NotFound(f"KPI {kpi.id} has no action list")
    scope = resolve_scope(user, False, resource, team, state.people, company)
    when = resolve_when(state.kpis, period, None, as_of, kpi.default_period, now_by_default=True)
    result: dict[str, Any] = state.kpis.actions(
        kpi.id, when.period, when.as_of, scope.to_engine()
    ).to_json()
    return result


@router.get("/clients", summary="Every client's figures and whether it fits (the clients page)")
def list_clients(
    state: State,
    user: ApiUser,
    period: str | None = Query(None, description="Period SPEC (default last-quarter)"),
    as_of: str | None = AsOfQ,
    mine: str | None = Query(None, description="1: my clients (default when you have any); 0: all"),
    q: str | None = Query(None, description="Only clients whose name contains this"),
    sort: str | None = Query(None, description="name, fit or a column's KPI id"),
    desc: str | None = Query(None, description="1: descending"),
) -> dict[str, Any]:
    asked = {"period": period, "as_of": as_of, "mine": mine, "q": q, "sort": sort, "desc": desc}
    params = {name: value for name, value in asked.items() if value is not None}
    result, chosen, when, rows = client_portfolio(params, state, user, now_by_default=True)
    return {
        "as_of": result.as_of.isoformat(),
        "period": when.period.to_json(),
        "mine": chosen.mine,
        "columns": [
            {"kpi": kpi_id, "unit": state.kpis.kpi(kpi_id).unit, "period": span.to_json()}
            for kpi_id, span in result.periods.items()
        ],
        "fit_judged": result.judged,
        "clients": [
            {
                "company_id": row.company_id,
                "company": row.name,
                "fits": row.fits,
                "reasons": row.reasons,
                "figures": {
                    kpi_id: {"value": figure.value, "status": figure.status}
                    for kpi_id, figure in row.figures.items()
                },
            }
            for row in rows
        ],
    }


@router.get(
    "/clients/simulate",
    summary="Every client at one all-in price per user per month (the price simulator)",
)
def simulate_clients(
    state: State,
    user: ApiUser,
    price: str | None = Query(None, description="€ per user per month (default: the setting)"),
    period: str | None = Query(None, description="Period SPEC (default last-quarter)"),
    as_of: str | None = AsOfQ,
    mine: str | None = Query(None, description="1: my clients (default when you have any); 0: all"),
    q: str | None = Query(None, description="Only clients whose name contains this"),
) -> dict[str, Any]:
    asked = {"price": price, "period": period, "as_of": as_of, "mine": mine, "q": q}
    params = {name: value for name, value in asked.items() if value is not None}
    sim, chosen, _when = simulation(params, state, user, now_by_default=True)
    return {**sim.to_json(), "mine": chosen.mine}


@router.get("/goals", summary="Where each goal stands this year, quarter, month, week and day")
def list_goals(state: State, user: ApiUser, as_of: str | None = AsOfQ) -> dict[str, Any]:
    data = goals_json(state, user, as_of, now_by_default=True)
    if data is None:
        raise NotFound("no goals yet: write $STIP_HOME/goals.yaml (see docs/goals.md)")
    return data


@router.get(
    "/deliverables",
    summary="Each fixed-price agreement's deliverables, met or missed per month",
)
def list_deliverables(state: State, user: ApiUser, as_of: str | None = AsOfQ) -> dict[str, Any]:
    data = deliverables_json(state, user, as_of, now_by_default=True)
    if data is None:
        raise NotFound(
            "no deliverables yet: write $STIP_HOME/deliverables.yaml (see docs/deliverables.md)"
        )
    return data
