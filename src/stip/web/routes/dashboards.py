"""Dashboard pages `/d/{id}` (normal and `?tv=1`), their htmx grid, and share links `/s/...`."""

from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stip.accounts import roles
from stip.accounts.shares import ShareLink, resolve_share, shared_agreement
from stip.accounts.users import User
from stip.actions.closed_loop import CLOSED_LOOP_KPIS, closed_loop_values
from stip.actions.labels import labels
from stip.dashboards.models import Dashboard
from stip.semantic.periods import RELATIVE
from stip.web import formatting
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import Forbidden, NotFound
from stip.web.i18n import gettext_for
from stip.web.recent import ScopedView
from stip.web.routes.actions import loop_tiles
from stip.web.routes.deliverables import agreement_share_page
from stip.web.routes.goals import goals_line
from stip.web.scope import MY_CLIENTS, Scope, When, chosen_period, resolve_scope, resolve_when
from stip.web.state import WebState
from stip.web.templating import render, render_string
from stip.web.viewmodel import (
    CUSTOM_PERIOD,
    TileView,
    is_stale,
    period_label,
    period_options,
    query_string,
    restricted_view,
    tile_view,
    tv_layout,
)

router = APIRouter()


@dataclass
class Section:
    heading: str
    tiles: list[TileView]


CLOSED_LOOP_DASHBOARDS = {d for kpi in CLOSED_LOOP_KPIS for d in kpi["dashboards"]}
"""Dashboards that show how action items are followed up (from the action center)."""


@dataclass
class DashboardView:
    id: str
    title: str
    tv: bool
    refresh: int
    grid_url: str
    tv_url: str
    period_label: str
    #: A running period: which part of the period before the changes compare with.
    compared_text: str
    period_choice: str
    period_choices: list[tuple[str, str]]
    custom: str
    as_of_param: str
    data_as_of_text: str
    as_of_text: str
    stale: bool
    scope_label: str
    tile_count: int
    sections: list[Section] = field(default_factory=list)
    tiles: list[TileView] = field(default_factory=list)
    resources: list[Any] = field(default_factory=list)
    teams: list[Any] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)
    resource_id: int | None = None
    team_id: int | None = None
    company_id: int | str | None = None  # a client, or MY_CLIENTS
    tv_cols: int = 1
    tv_rows: int = 1
    rotate_next: str = ""
    #: A live view when the newest sync failed: when, and the run's message (a tooltip for
    #: administrators only: it names the PSA's address and settings).
    sync_failed_text: str = ""
    sync_failed_reason: str = ""
    loop: list[dict[str, Any]] = field(default_factory=list)
    loop_labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Params:
    period: str | None
    custom: str | None
    as_of: str | None
    resource: str | None
    team: str | None
    company: str | None
    tv: bool
    rotate: str | None

    @classmethod
    def of(cls, request: Request) -> Params:
        q = request.query_params
        period, custom = chosen_period(q)
        return cls(
            period,
            custom,
            q.get("as_of"),
            q.get("resource"),
            q.get("team"),
            q.get("company"),
            q.get("tv") in ("1", "true", "yes"),
            q.get("rotate"),
        )


def _link_params(
    when: When, scope: Scope, tv: bool, rotate: str | None, lang: str | None
) -> dict[str, Any]:
    return {
        "period": when.choice or None,
        "custom": when.custom or None,
        "as_of": when.as_of_param or None,
        **scope.params(),
        "tv": 1 if tv else None,
        "rotate": rotate,
        "lang": lang,
    }


@dataclass(frozen=True)
class _Built:
    """A cached view with what the uncached finishing touches need.

    It holds its dashboard definition so that the `id(dashboard)` in its key (a reloaded YAML
    file is a new object) cannot be reused by another definition while the entry lives.
    """

    dashboard: Dashboard
    view: DashboardView
    when: When
    scope: Scope
    newest: datetime | None
    kpi_ids: tuple[str, ...]


def build_view(
    request: Request,
    state: WebState,
    dashboard: Dashboard,
    user: User | None,
    params: Params,
    base_path: str,
) -> DashboardView:
    """The view, from the cache when nothing it depends on changed.

    Staleness (it moves with the clock) and the action center's follow-up figures (they change
    with every action taken) are added fresh on each request.
    """
    lang = language(request)
    key = (
        dashboard.id,
        id(dashboard),
        base_path,
        # the linked resource decides an engineer's own figures and "my clients"
        None if user is None else (user.id, user.role, user.resource_id),
        astuple(params),
        lang,
        request.query_params.get("lang"),
        state.kpis.data_stamp(),
        state.kpis.live_as_of(),
    )
    built = state.views.get(
        key, lambda: _build(request, state, dashboard, user, params, base_path, lang)
    )
    view = replace(built.view, stale=is_stale(built.newest, built.when.live))
    failed = state.kpis.failed_sync() if built.when.live else None
    if failed is not None:
        tz = state.stip.settings.tz
        view.sync_failed_text = formatting.when(failed[0], tz, lang)
        view.sync_failed_reason = failed[1]
    engine_scope = built.scope.to_engine()
    if engine_scope is not None and built.when.choice and not built.when.as_of_param:
        state.recent.saw(ScopedView(dashboard.id, built.kpi_ids, built.when.choice, engine_scope))
    if not params.tv and dashboard.role in CLOSED_LOOP_DASHBOARDS:
        scope = built.scope
        people = None
        if scope.resource_id is not None:
            people = [scope.resource_id]
        elif scope.team_id is not None:
            people = [c.id for c in state.people.resources(scope.team_id)]
        # Action items are raised and closed after the data's time (the last sync): a live view
        # counts them as they are now, a pinned as-of as they were then.
        moment = datetime.now(UTC) if built.when.live else built.when.as_of
        values = closed_loop_values(state.stip, built.when.period.spec, moment, people)
        view.loop = loop_tiles(values, lang)
        view.loop_labels = labels(lang)
    return view


def _build(
    request: Request,
    state: WebState,
    dashboard: Dashboard,
    user: User | None,
    params: Params,
    base_path: str,
    lang: str,
) -> _Built:
    _ = gettext_for(lang)
    tz = state.stip.settings.tz
    scope = resolve_scope(
        user,
        dashboard.filters.personal,
        params.resource,
        params.team,
        state.people,
        params.company,
    )
    when = resolve_when(
        state.kpis, params.period, params.custom, params.as_of, dashboard.filters.period.default
    )
    lang_param = request.query_params.get("lang")
    link = _link_params(when, scope, params.tv, params.rotate, lang_param)
    # a share link (no user) shows what its dashboard's role sees
    role = dashboard.role if user is None else user.role
    names = dashboard.tile_names()
    visible = [
        n for n in names if state.kpis.may_see(role, state.kpis.kpi(dashboard.elements[n].kpi))
    ]
    results = state.kpis.tiles(
        [dashboard.elements[n].kpi for n in visible], when.period, when.as_of, scope.to_engine()
    )
    by_name = dict(zip(visible, results, strict=True))
    kpi_link = query_string(
        period=when.choice or when.custom or None, as_of=when.as_of_param or None, **scope.params()
    )
    views: dict[str, TileView] = {}
    moments: dict[str, datetime | None] = {}
    newest = None
    for name in names:
        element = dashboard.elements[name]
        kpi = state.kpis.kpi(element.kpi)
        title = element.title.get(lang) if element.title else kpi.name.get(lang)
        if name not in by_name:
            views[name] = restricted_view(name, title, element.size, kpi.id)
            continue
        tile = state.kpis.shown(role, kpi, by_name[name])
        href = "#" if user is None else f"/kpi/{kpi.id}{kpi_link}"
        views[name] = tile_view(
            name, title, element.size, kpi, tile, lang, href, when.live, tz, when.period
        )
        moment = getattr(tile, "data_as_of", None)
        moments[name] = moment
        if moment is not None and (newest is None or moment > newest):
            newest = moment
    # The page's line says when its data is from (and flags it stale); a tile repeats that
    # only when its own data is older than the page's.
    for name, moment in moments.items():
        views[name].stale = views[name].stale and moment != newest

    can_pick = user is not None and roles.can_see_others(user.role)
    sections = [
        Section(s.heading.get(lang), [views[n] for row in s.rows for n in row])
        for s in dashboard.layout
    ]
    flat = [views[n] for n in names]
    compared = Counter(v.previous_label for v in flat if v.like_for_like).most_common(1)
    view = DashboardView(
        id=dashboard.id,
        title=dashboard.title.get(lang),
        tv=params.tv,
        refresh=dashboard.refresh_seconds,
        grid_url=f"{base_path}/grid" + query_string(**link),
        tv_url=f"{base_path}" + query_string(**{**link, "tv": 1}),
        period_label=period_label(when.period, lang, tz),
        compared_text=_("totals vs %s") % compared[0][0] if compared else "",
        period_choice=when.choice or CUSTOM_PERIOD,
        period_choices=period_options(when.choice, lang),
        custom=when.custom,
        as_of_param=when.as_of_param,
        data_as_of_text=formatting.when(newest, tz, lang),
        as_of_text="" if when.live else formatting.when(when.as_of, tz, lang),
        stale=False,
        scope_label=scope.label(state.people, lang),
        tile_count=len(names),
        sections=sections,
        tiles=flat,
        resources=state.people.resources() if can_pick and dashboard.filters.resource else [],
        teams=state.people.teams() if can_pick and dashboard.filters.team else [],
        clients=_client_choices(state, user, lang)
        if can_pick and dashboard.filters.company
        else [],
        resource_id=scope.resource_id,
        team_id=scope.team_id,
        company_id=MY_CLIENTS if scope.my_clients else scope.company_id,
    )
    if params.tv:
        view.tv_cols, view.tv_rows = tv_layout(flat)
        view.rotate_next = _rotate_next(params.rotate, base_path, link)
    kpi_ids = tuple(dict.fromkeys(dashboard.elements[n].kpi for n in visible))
    return _Built(dashboard, view, when, scope, newest, kpi_ids)


def _rotate_next(rotate: str | None, base_path: str, link: dict[str, Any]) -> str:
    """The next page of a `?rotate=a,b,c` cycle (dashboard ids, or share tokens under /s/)."""
    if not rotate:
        return ""
    items = [item.strip() for item in rotate.split(",") if item.strip()]
    if not items:
        return ""
    prefix, current = base_path.rsplit("/", 1)
    index = items.index(current) if current in items else -1
    following = items[(index + 1) % len(items)]
    return f"{prefix}/{following}" + query_string(**link)


def dashboard_for(state: WebState, user: User, dashboard_id: str) -> Dashboard:
    dashboard = state.dashboards.get(dashboard_id)
    if dashboard is None:
        raise NotFound(f"unknown dashboard '{dashboard_id}'")
    if not roles.can_view_dashboard(user.role, dashboard.role):
        raise Forbidden(f"your role may not open the {dashboard.id} dashboard")
    return dashboard


def _client_choices(state: WebState, user: User | None, lang: str) -> list[Any]:
    """The client switch: "my clients" first for an account manager of any, then each one."""
    clients: list[Any] = list(state.people.clients())
    own = user.resource_id if user is not None else None
    if own is not None and state.people.clients_of(own):
        clients.insert(0, {"id": MY_CLIENTS, "name": gettext_for(lang)("my clients")})
    return clients


@router.get("/d/{dashboard_id}", include_in_schema=False)
def dashboard_page(
    dashboard_id: str, request: Request, state: State, user: CurrentUser
) -> Response:
    dashboard = dashboard_for(state, user, dashboard_id)
    params = Params.of(request)
    view = build_view(request, state, dashboard, user, params, f"/d/{dashboard.id}")
    chrome = not params.tv
    owner = dashboard.role == roles.OWNER
    as_of = request.query_params.get("as_of")
    goals = goals_line(state, user, as_of, language(request), horizon=owner) if chrome else None
    return render(
        request,
        "dashboard.html",
        {"view": view, "chrome": chrome, "active_dashboard": dashboard.id, "goals": goals},
    )


@router.get("/d/{dashboard_id}/grid", include_in_schema=False)
def dashboard_grid(
    dashboard_id: str, request: Request, state: State, user: CurrentUser
) -> Response:
    dashboard = dashboard_for(state, user, dashboard_id)
    view = build_view(request, state, dashboard, user, Params.of(request), f"/d/{dashboard.id}")
    return HTMLResponse(render_string(request, "_grid.html", {"view": view}))


def _link(state: WebState, token: str) -> ShareLink:
    link = resolve_share(state.accounts, state.secret, token)
    if link is None:
        raise NotFound("this share link does not exist or was revoked")
    return link


def _shared(state: WebState, link: ShareLink) -> Dashboard:
    dashboard = state.dashboards.get(link.dashboard_id)
    if dashboard is None:  # also a link to an agreement, which has no grid
        raise NotFound("this share link does not exist or was revoked")
    return dashboard


def _share_params(request: Request) -> Params:
    """What a share link's viewer (no login) may choose: a relative period (`?period=today`).
    No scope, custom range or as-of: those would let anyone compute what they like, uncached."""
    params = Params.of(request)
    params.tv = True
    params.resource = params.team = params.company = params.custom = params.as_of = None
    if params.period not in RELATIVE:
        params.period = None
    return params


@router.get("/s/{token}", include_in_schema=False)
def shared_page(token: str, request: Request, state: State) -> Response:
    link = _link(state, token)
    agreement = shared_agreement(link.dashboard_id)
    if agreement is not None:
        return agreement_share_page(request, state, agreement)
    dashboard = _shared(state, link)
    view = build_view(request, state, dashboard, None, _share_params(request), f"/s/{token}")
    return render(request, "dashboard.html", {"view": view, "chrome": False, "goals": None})


@router.get("/s/{token}/grid", include_in_schema=False)
def shared_grid(token: str, request: Request, state: State) -> Response:
    dashboard = _shared(state, _link(state, token))
    view = build_view(request, state, dashboard, None, _share_params(request), f"/s/{token}")
    return HTMLResponse(render_string(request, "_grid.html", {"view": view}))
