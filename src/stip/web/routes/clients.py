"""The clients page: every client side by side, and whether it still fits.

One row per active customer with the figures of `portfolio.COLUMNS` that the viewer's role
may see, each coloured by its status. Roles that may see money also see whether each client
fits and why not. An account manager linked to a PSA resource starts with their own clients.
The CSV and Excel files hold every row of the selection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.accounts import roles
from stip.accounts.users import User
from stip.semantic.portfolio import COLUMNS, DEFAULT_PERIOD, NO_FIXED_PRICE, ClientRow, Portfolio
from stip.web import exports, formatting
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import BadRequest, Forbidden
from stip.web.i18n import gettext_for
from stip.web.people import Choice
from stip.web.routes.deliverables import client_agreements
from stip.web.scope import MY_CLIENTS, When, chosen_period, resolve_when
from stip.web.state import WebState
from stip.web.templating import render
from stip.web.viewmodel import CUSTOM_PERIOD, period_label, period_options, query_string

router = APIRouter()

SHOWN_ROWS = 300
# The sort keys besides the KPI columns.
NAME, FIT = "name", "fit"


@dataclass
class ClientChoice:
    """Whose clients (`mine`) and which names (`q`) a request asks for."""

    own: list[Choice]  # the user's own clients (empty when not linked to a PSA resource)
    mine: bool
    query: str

    @property
    def can_mine(self) -> bool:
        return bool(self.own)

    def clients(self, state: WebState) -> list[Choice]:
        clients = self.own if self.mine else state.people.clients()
        needle = self.query.casefold()
        return [c for c in clients if needle in c.name.casefold()] if needle else clients


@dataclass
class Selection(ClientChoice):
    """The clients asked for, and in which order."""

    sort: str
    descending: bool


def client_choice(q: Mapping[str, str], state: WebState, user: User) -> ClientChoice:
    own = state.people.clients_of(user.resource_id) if user.resource_id is not None else []
    mine = q.get("mine") or ("1" if own else "0")
    if mine not in ("0", "1"):
        raise BadRequest(f"mine must be 1 (my clients) or 0 (all clients), not '{mine}'")
    return ClientChoice(own, mine == "1" and bool(own), (q.get("q") or "").strip())


def _selection(q: Mapping[str, str], state: WebState, user: User, columns: list[str]) -> Selection:
    choice = client_choice(q, state, user)
    judged = roles.can_see_money(user.role)
    sort = q.get("sort") or (FIT if judged else NAME)
    allowed = [NAME, *([FIT] if judged else []), *columns]
    if sort not in allowed:
        raise BadRequest(f"cannot sort by '{sort}'; use one of: {', '.join(allowed)}")
    return Selection(choice.own, choice.mine, choice.query, sort, q.get("desc") == "1")


def client_portfolio(
    q: Mapping[str, str], state: WebState, user: User, *, now_by_default: bool = False
) -> tuple[Portfolio, Selection, When, list[ClientRow]]:
    """The clients the parameters `q` select (`mine`, `q`), their figures for the period
    (`period`, `custom`, `as_of`) in the order asked for (`sort`, `desc`); the page and the
    API (which computes as of now by default, as the other API calls do) share it."""
    if not roles.can_see_others(user.role):
        raise Forbidden("the clients page is for those who look after clients and people")
    columns = [c for c in COLUMNS if state.kpis.may_see(user.role, state.kpis.kpi(c))]
    chosen = _selection(q, state, user, columns)
    period, custom = chosen_period(q)
    when = resolve_when(
        state.kpis, period, custom, q.get("as_of"), DEFAULT_PERIOD, now_by_default=now_by_default
    )
    result = state.kpis.portfolio(
        [(c.id, c.name) for c in chosen.clients(state)],
        columns,
        when.period,
        when.as_of,
        judge=roles.can_see_money(user.role),
    )
    return result, chosen, when, _sorted(result.rows, chosen)


def _sorted(rows: list[ClientRow], chosen: Selection) -> list[ClientRow]:
    """By name; by fit (most reasons first); or by a figure, clients without one last."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.company_id))
    if chosen.sort == NAME:
        return by_name[::-1] if chosen.descending else by_name
    if chosen.sort == FIT:
        return sorted(by_name, key=lambda r: len(r.reasons or ()), reverse=not chosen.descending)
    kpi_id = chosen.sort
    known = [r for r in by_name if r.figures[kpi_id].value is not None]
    unknown = [r for r in by_name if r.figures[kpi_id].value is None]
    known.sort(key=lambda r: float(r.figures[kpi_id].value or 0), reverse=chosen.descending)
    return known + unknown


def _reason_text(reason: str, state: WebState, lang: str) -> str:
    if reason == NO_FIXED_PRICE:
        return gettext_for(lang)("no fixed monthly price")
    return state.kpis.kpi(reason).name.get(lang)


def _header(key: str, label: str, unit: str, link: dict[str, Any], chosen: Selection) -> Any:
    """A column head that sorts by its column; a second click on it reverses the order. Fit's
    own order is worst first: the most reasons, so it reads as descending."""
    current = chosen.sort == key
    flip = current and not chosen.descending
    falling = chosen.descending != (key == FIT)
    return {
        "key": key,
        "label": label,
        "unit": unit,
        "href": "/clients" + query_string(**link, sort=key, desc="1" if flip else None),
        "sorted": ("descending" if falling else "ascending") if current else "none",
    }


def _cells(row: ClientRow, state: WebState, lang: str) -> list[dict[str, str]]:
    _ = gettext_for(lang)
    out = []
    for kpi_id, figure in row.figures.items():
        unit = state.kpis.kpi(kpi_id).unit
        text = formatting.number(figure.value, unit, lang)
        out.append({"text": text, "status": figure.status, "status_text": _(figure.status)})
    return out


@router.get("/clients", include_in_schema=False)
def clients_page(request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    _ = gettext_for(lang)
    tz = state.stip.settings.tz
    result, chosen, when, rows = client_portfolio(request.query_params, state, user)
    link = page_link(when, chosen)
    heads = [_header(NAME, _("Client"), "", link, chosen)]
    if result.judged:
        heads.append(_header(FIT, _("Fits"), "", link, chosen))
    for kpi_id in result.columns:
        kpi = state.kpis.kpi(kpi_id)
        unit = formatting.unit_name(kpi.unit, lang)
        heads.append(_header(kpi_id, kpi.name.get(lang), unit, link, chosen))
    dashboard = roles.can_view_dashboard(user.role, roles.ACCOUNT_MANAGER)
    agreements = client_agreements(state, user, lang)
    # a client's dashboard for the same period and as-of
    same_time = {"period": when.choice, "custom": when.custom, "as_of": when.as_of_param}
    view_rows = [
        {
            "name": row.name,
            "href": "/d/account_manager" + query_string(company=row.company_id, **same_time)
            if dashboard
            else None,
            "fits": row.fits,
            "reasons": ", ".join(_reason_text(r, state, lang) for r in row.reasons or ()),
            "cells": _cells(row, state, lang),
            "agreements": agreements.get(row.company_id, []),
        }
        for row in rows[:SHOWN_ROWS]
    ]
    sorted_link = {**link, "sort": chosen.sort, "desc": "1" if chosen.descending else None}
    view = {
        **filter_fields(when, chosen, lang, tz),
        "sort": chosen.sort,
        "desc": chosen.descending,
        "judged": result.judged,
        "heads": heads,
        "rows": view_rows,
        "total": len(rows),
        "cut": len(rows) > SHOWN_ROWS,
        "fitting": sum(1 for r in rows if r.fits),
        "mine_dashboard": "/d/account_manager" + query_string(company=MY_CLIENTS, **same_time)
        if dashboard and chosen.mine
        else "",
        "fit_unknown": result.fit_unknown,
        "simulate": "/clients/simulate" + query_string(**link)
        if roles.can_see_money(user.role)
        else "",
        "months_label": _months_label(result, when, lang),
        "csv": "/clients/export.csv" + query_string(**sorted_link),
        "xlsx": "/clients/export.xlsx" + query_string(**sorted_link),
    }
    return render(request, "clients.html", {"view": view})


def _months_label(result: Portfolio, when: When, lang: str) -> str:
    """The whole months the figures billed per month cover, when they differ from the page's
    period (a week asked for: its month); else ""."""
    other = [p for p in result.periods.values() if p != when.period]
    return period_label(other[0], lang, when.period.tz) if other else ""


def filter_fields(when: When, chosen: ClientChoice, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """What the filter form (`_period_fields.html`, `_client_fields.html`) shows."""
    return {
        "period_label": period_label(when.period, lang, tz),
        "period_choice": when.choice or CUSTOM_PERIOD,
        "period_choices": period_options(when.choice, lang),
        "custom": when.custom,
        "as_of_param": when.as_of_param,
        "as_of_text": "" if when.live else formatting.when(when.as_of, tz, lang),
        "can_mine": chosen.can_mine,
        "mine": chosen.mine,
        "query": chosen.query,
    }


def page_link(when: When, chosen: ClientChoice) -> dict[str, Any]:
    """The page's own parameters, for links that keep them."""
    return {
        "period": when.choice or None,
        "custom": when.custom or None,
        "as_of": when.as_of_param or None,
        "mine": ("1" if chosen.mine else "0") if chosen.can_mine else None,
        "q": chosen.query or None,
    }


@router.get("/clients/export.{fmt}", include_in_schema=False)
def clients_export(fmt: str, request: Request, state: State, user: CurrentUser) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise BadRequest("export format must be csv or xlsx")
    result, _chosen, when, rows = client_portfolio(request.query_params, state, user)
    columns = ["company_id", "company"]
    if result.judged:
        columns += ["fits", "reasons"]
    for kpi_id in result.columns:
        columns += [kpi_id, f"{kpi_id}_status"]
    data = []
    for row in rows:
        line: list[Any] = [row.company_id, row.name]
        if result.judged:
            line += [row.fits, "; ".join(row.reasons or ())]
        for figure in row.figures.values():
            line += [figure.value, figure.status]
        data.append(line)
    return exports.download(fmt, f"clients-{when.period.start_date}", "clients", columns, data)
