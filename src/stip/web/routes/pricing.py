"""The price simulator page: every client at one all-in price per user per month.

For the roles that see money. The clients are those of the clients page (`mine`, `q`); the
price comes from `?price=` (else the setting `price_per_user`); the period and as-of work as
on every page. The CSV and Excel files hold every client with its figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.accounts import roles
from stip.accounts.users import User
from stip.semantic.portfolio import DEFAULT_PERIOD
from stip.semantic.pricing import (
    EXIT,
    INTERNAL_COST,
    KEEP,
    LOAD,
    NO_FIGURES,
    NO_USERS,
    REPRICE,
    SATISFACTION,
    SCOPE,
    USER_COUNT,
    VERDICTS,
    ClientPrice,
    Simulation,
    Step,
)
from stip.web import exports, formatting
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import BadRequest, Forbidden
from stip.web.i18n import gettext_for
from stip.web.routes.clients import ClientChoice, client_choice, filter_fields, page_link
from stip.web.scope import When, chosen_period, resolve_when
from stip.web.state import WebState
from stip.web.templating import render
from stip.web.viewmodel import period_label, query_string

router = APIRouter()

# Whole euros: prices per user read as a price list does.
EURO = "€"
STATUS = {KEEP: "green", REPRICE: "amber", SCOPE: "red", EXIT: "red", None: "none"}


def price_param(q: Mapping[str, str], state: WebState) -> float:
    """`?price=` in euros per user per month (a decimal comma is fine), else the setting."""
    text = (q.get("price") or "").strip()
    if not text:
        return state.stip.settings.price_per_user
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise BadRequest(
            f"price must be an amount in euros per user per month, such as 150, not '{text}'"
        ) from None


def simulation(
    q: Mapping[str, str], state: WebState, user: User, *, now_by_default: bool = False
) -> tuple[Simulation, ClientChoice, When]:
    """The simulation the parameters ask for, its clients worst first; the page, the exports
    and the API share it."""
    if not roles.can_see_money(user.role):
        raise Forbidden("the price simulator is for those who see money figures")
    choice = client_choice(q, state, user)
    period, custom = chosen_period(q)
    when = resolve_when(
        state.kpis, period, custom, q.get("as_of"), DEFAULT_PERIOD, now_by_default=now_by_default
    )
    clients = [(c.id, c.name) for c in choice.clients(state)]
    sim = state.kpis.simulate(clients, price_param(q, state), when.period, when.as_of)
    return sim.worst_first(), choice, when


def _why(sim: Simulation, row: ClientPrice, lang: str) -> str:
    """The verdict's reason in a few words, with the figures it rests on."""
    _ = gettext_for(lang)
    verdict = sim.verdict(row)
    if verdict is None:
        reasons = {
            NO_USERS: _("no user count in the PSA"),
            NO_FIGURES: _("nothing billed or worked in this period"),
        }
        return reasons.get(row.unjudged or "", "") if sim.judged else ""
    terms = sim.terms
    # a price needed of 150.41 against 150 must not read as 150
    needed = formatting.against(row.needed(terms), terms.price, EURO, lang)
    figures = {
        "needed": needed,
        "margin": formatting.against(row.margin(terms.price), terms.margin, "%", lang),
        "today": formatting.number(row.today, EURO, lang),
        "today_margin": formatting.number(row.today_margin(), "%", lang),
    }
    if verdict == KEEP:
        return _("leaves a margin of %(margin)s %%") % figures
    if verdict == REPRICE and row.within_reach(terms):
        return _("needs € %(needed)s per user for the target margin") % figures
    if verdict == SCOPE:
        load = formatting.number(row.load.value, "h/user/month", lang)
        return _("needs € %(needed)s per user; %(load)s reactive hours per user a month") % {
            **figures,
            "load": load,
        }
    return (
        _("needs € %(needed)s per user and pays € %(today)s today (margin %(today_margin)s %%)")
        % figures
    )


def _verdict_names(lang: str) -> dict[str | None, str]:
    _ = gettext_for(lang)
    return {
        KEEP: _("keep"),
        REPRICE: _("re-price"),
        SCOPE: _("change scope"),
        EXIT: _("exit"),
        None: _("not judged"),
    }


def _client_cells(sim: Simulation, row: ClientPrice, lang: str) -> dict[str, Any]:
    price = sim.terms.price
    margin = row.margin(price)
    verdict = sim.verdict(row)
    return {
        "users": formatting.number(row.users, "count", lang),
        "today": formatting.number(row.today, EURO, lang),
        "cost": formatting.number(row.cost, EURO, lang),
        "needed": formatting.against(row.needed(sim.terms), price, EURO, lang),
        "margin": formatting.against(margin, sim.terms.margin, "%", lang),
        # the margin meets the target exactly when the client is kept
        "margin_status": {KEEP: "green", None: "none"}.get(verdict, "red"),
        "change": formatting.number(row.change(price), "€", lang),
        "load": formatting.number(row.load.value, "h/user/month", lang),
        "load_status": row.load.status,
        "satisfaction": formatting.number(row.satisfaction.value, "%", lang),
        "satisfaction_status": row.satisfaction.status,
    }


def _signed_percent(value: float | None, lang: str) -> str:
    """+15.7 %, -7.5 %, or — without a value."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + formatting.with_unit(value, "%", lang)


def _price_param(price: float) -> str:
    """A price in a URL or the form: as typed, without float noise (149.5, 12345.67)."""
    return format(price, ".10g")


def _steps(steps: list[Step], price: float, link: dict[str, Any], lang: str) -> list[Any]:
    out = []
    for step in steps:
        change = 100 * (step.revenue - step.today) / step.today if step.today else None
        out.append(
            {
                "price": formatting.price(step.price, lang),
                "href": "/clients/simulate" + query_string(**link, price=_price_param(step.price)),
                "current": step.price == price,
                "counts": [step.counts[v] for v in VERDICTS],
                "revenue": formatting.number(step.revenue, "€", lang),
                "change": _signed_percent(change, lang),
                "margin": formatting.with_unit(step.margin, "%", lang),
            }
        )
    return out


@router.get("/clients/simulate", include_in_schema=False)
def simulate_page(request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    tz = state.stip.settings.tz
    sim, choice, when = simulation(request.query_params, state, user)
    link = page_link(when, choice)
    names = _verdict_names(lang)
    steps = sim.steps()  # the price itself among them
    current = next(step for step in steps if step.price == sim.terms.price)
    dashboard = roles.can_view_dashboard(user.role, roles.ACCOUNT_MANAGER)
    same_time = {"period": when.choice, "custom": when.custom, "as_of": when.as_of_param}
    priced = {**link, "price": _price_param(sim.terms.price)}
    view = {
        **filter_fields(when, choice, lang, tz),
        "money_period": period_label(sim.period, lang, tz),
        "price": _price_param(sim.terms.price),
        "price_text": formatting.price(sim.terms.price, lang),
        "margin_target": formatting.number(sim.terms.margin, "%", lang),
        "band": formatting.number(sim.terms.band, "%", lang),
        "judged": sim.judged,
        "missing_users": USER_COUNT in sim.missing,
        "missing_costs": INTERNAL_COST in sim.missing,
        "uncosted": sim.uncosted,
        "counts": [(names[v], current.counts[v], STATUS[v]) for v in VERDICTS],
        "unjudged": sum(1 for r in sim.rows if sim.verdict(r) is None),
        "revenue": formatting.number(current.revenue, "€", lang),
        "today": formatting.number(current.today, "€", lang),
        "margin": formatting.number(current.margin, "%", lang),
        "verdict_names": [names[v] for v in VERDICTS],
        "steps": _steps(steps, sim.terms.price, link, lang),
        "rows": [
            {
                "name": row.name,
                "href": "/d/account_manager" + query_string(company=row.company_id, **same_time)
                if dashboard
                else None,
                "verdict": names[sim.verdict(row)],
                "status": STATUS[sim.verdict(row)],
                "why": _why(sim, row, lang),
                **_client_cells(sim, row, lang),
            }
            for row in sim.rows
        ],
        "load_name": state.kpis.kpi(LOAD).name.get(lang),
        "satisfaction_name": state.kpis.kpi(SATISFACTION).name.get(lang),
        "clients_href": "/clients" + query_string(**link),
        "csv": "/clients/simulate/export.csv" + query_string(**priced),
        "xlsx": "/clients/simulate/export.xlsx" + query_string(**priced),
    }
    return render(request, "simulate.html", {"view": view})


@router.get("/clients/simulate/export.{fmt}", include_in_schema=False)
def simulate_export(fmt: str, request: Request, state: State, user: CurrentUser) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise BadRequest("export format must be csv or xlsx")
    lang = language(request)
    sim, _choice, when = simulation(request.query_params, state, user)
    price = sim.terms.price
    columns = ["company_id", "company", "users", "today_per_user", "cost_per_user"]
    columns += ["needed_per_user", "margin_at_price", "change_per_month", LOAD, SATISFACTION]
    columns += ["verdict", "why"]
    data = [
        [
            row.company_id,
            row.name,
            row.users,
            row.today,
            row.cost,
            row.needed(sim.terms),
            row.margin(price),
            row.change(price),
            row.load.value,
            row.satisfaction.value,
            sim.verdict(row),
            _why(sim, row, lang),
        ]
        for row in sim.rows
    ]
    stem = f"price-simulation-{price:g}-{when.period.start_date}"
    return exports.download(fmt, stem, "simulation", columns, data)
