"""The deliverables page: every fixed-price agreement's KPIs met or missed per month, with
the service credits and bonuses they cost or earn (docs/deliverables.md).

For those who look after clients and people (not engineers). The fee, credits and bonuses,
and deliverables on a money KPI (value and verdict), are for the roles that may see money.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.accounts import roles
from stip.accounts.users import User
from stip.deliverables.scorecard import count_months
from stip.web import formatting
from stip.web.deliverables_report import agreement_pdf
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import Forbidden, NotFound, WebError
from stip.web.filesource import kept_result, may_fix
from stip.web.i18n import gettext_for
from stip.web.scope import resolve_as_of
from stip.web.state import WebState
from stip.web.templating import render

router = APIRouter()
FORBIDDEN = "the deliverables page is for those who look after clients and people"
#: The query parameter of a KPI page that scopes it to an agreement's subject.
SCOPE_PARAMS = {"client": "company", "resource": "resource", "team": "team"}
SUBJECT_TEXTS = {"client": "client", "resource": "person", "team": "team"}
STATUS_TEXTS = {
    "met": "met",
    "missed": "missed",
    "no_data": "no data",
    "outside": "outside the agreement",
}
MARKS = {"met": "✓", "missed": "✗"}
#: Units up to this long are written in every cell.
SHORT_UNIT = 4


def deliverables_json(
    state: WebState, user: User, as_of: str | None, *, now_by_default: bool = False
) -> dict[str, Any] | None:
    """Every agreement's scorecard as `user` may see it, or None without a deliverables file.
    Without `as_of`, the page shows the data's own time and the API now, as elsewhere."""
    if not roles.can_see_others(user.role):
        raise Forbidden(FORBIDDEN)
    moment = resolve_as_of(state.kpis, as_of, now_by_default=now_by_default)
    cards = kept_result(state, state.deliverables, user, moment, "deliverables")
    if cards is None:
        return None
    data = cards.to_json()
    for agreement in data["agreements"]:
        _restrict(
            agreement,
            roles.can_see_money(user.role),
            lambda kpi_id: state.kpis.may_see(user.role, state.kpis.kpi(kpi_id)),
        )
    return data


def _restrict(agreement: dict[str, Any], money: bool, shows: Callable[[str], bool]) -> None:
    """Leave out what the viewer may not see: without `money` the fee, credits, bonuses and
    amounts; and each deliverable whose KPI `shows` refuses (a money KPI for a role that may
    not see money), its value and its verdict too (a 65 % margin "missed" says enough). The
    counts are made again without it."""
    agreement["hidden"] = not money
    if not money:
        for name in ("fee", "amount", "credit_cap_pct"):
            agreement[name] = None
        for month in agreement["months"]:
            month["credit_pct"] = month["bonus_pct"] = month["amount"] = None
    shown = [line for line in agreement["deliverables"] if shows(line["kpi"])]
    agreement["hidden_deliverables"] = len(agreement["deliverables"]) - len(shown)
    agreement["deliverables"] = shown
    for line in shown:
        if not money:
            line["credit_pct"] = line["bonus_pct"] = None
    count_months(agreement)


def client_agreements(state: WebState, user: User, lang: str) -> dict[int, list[dict[str, str]]]:
    """Per client id, the latest verdicts of its agreements in force, as the clients page
    names them (live as-of; the warm-up computes them). Nothing when there is no file or it
    has a mistake: the deliverables page explains that."""
    try:
        data = deliverables_json(state, user, None)
    except WebError:
        return {}
    _ = gettext_for(lang)
    found: dict[int, list[dict[str, str]]] = {}
    for agreement in (data or {}).get("agreements", []):
        if agreement["subject"] == "client" and agreement["in_force"]:
            found.setdefault(agreement["subject_id"], []).append(
                {
                    "href": f"/deliverables#agreement-{agreement['id']}",
                    "title": agreement["title"][lang],
                    "status": agreement["status"],
                    "status_text": _(STATUS_TEXTS[agreement["status"]]),
                }
            )
    return found


@router.get("/deliverables", include_in_schema=False)
def deliverables_page(request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    data = deliverables_json(state, user, request.query_params.get("as_of"))
    if data is None:
        missing = {"missing": True, "shared": False}
        return render(request, "deliverables.html", {"view": missing, "can_edit": may_fix(user)})
    view = _page_view(data, data["agreements"], state, lang, shared=False)
    view["money"] = roles.can_see_money(user.role)
    view["report_query"] = _as_of_query(request.query_params.get("as_of"))
    return render(request, "deliverables.html", {"view": view, "can_edit": may_fix(user)})


def agreement_share_page(request: Request, state: WebState, agreement_id: str) -> Response:
    """One agreement as a share link shows it to the client or partner, without a login: as
    of the data's own time, without money, without links into Stip (they need a login), and
    without deliverables on money KPIs. Gone from the file, the link is gone too."""
    lang = language(request)
    moment = resolve_as_of(state.kpis, None)
    cards = kept_result(state, state.deliverables, None, moment, "deliverables")
    data = cards.to_json() if cards is not None else {"agreements": []}
    agreement = next((a for a in data["agreements"] if a["id"] == agreement_id), None)
    if agreement is None:
        raise NotFound("this share link does not exist or was revoked")
    _restrict(agreement, False, lambda kpi_id: not state.kpis.is_money(state.kpis.kpi(kpi_id)))
    view = _page_view(data, [agreement], state, lang, shared=True)
    return render(request, "deliverables.html", {"view": view, "chrome": False})


def _page_view(
    data: dict[str, Any],
    agreements: list[dict[str, Any]],
    state: WebState,
    lang: str,
    *,
    shared: bool,
) -> dict[str, Any]:
    months = [formatting.month(date.fromisoformat(f"{m}-01"), lang) for m in data["months"]]
    as_of = datetime.fromisoformat(data["as_of"])
    return {
        "missing": False,
        "shared": shared,
        "money": False,
        "report_query": "",
        "as_of_text": formatting.when(as_of, state.stip.settings.tz, lang),
        "months": months,
        "agreements": [_agreement_view(a, state, lang, linked=not shared) for a in agreements],
    }


def _agreement_view(
    agreement: dict[str, Any], state: WebState, lang: str, *, linked: bool
) -> dict[str, Any]:
    _ = gettext_for(lang)
    subject = agreement["subject"]
    scope = f"{SCOPE_PARAMS[subject]}={agreement['subject_id']}"
    fee = agreement["fee"]
    return {
        "id": agreement["id"],
        "title": agreement["title"][lang],
        "who": agreement["subject_name"]
        or _("unknown in the PSA: %(kind)s %(id)s")
        % {"kind": _(SUBJECT_TEXTS[subject]), "id": agreement["subject_id"]},
        "known": agreement["subject_name"] is not None,
        "contract": agreement["contract"] or "",
        "status": agreement["status"],
        "status_text": _(STATUS_TEXTS[agreement["status"]]),
        "met_text": _("%(met)s of %(judged)s months with every deliverable met")
        % {"met": agreement["months_met"], "judged": agreement["months_judged"]},
        "fee": "" if fee is None else formatting.with_unit(fee, "€", lang),
        "amount": ""
        if agreement["amount"] is None
        else formatting.with_unit(agreement["amount"], "€", lang),
        "cap": ""
        if agreement["credit_cap_pct"] is None
        else formatting.with_unit(agreement["credit_cap_pct"], "%", lang),
        "lines": [
            _line_view(line, scope if linked else None, state, lang)
            for line in agreement["deliverables"]
        ],
        "hidden_deliverables": agreement["hidden_deliverables"],
        "totals": [_total_view(month, fee is not None, lang) for month in agreement["months"]],
    }


def _line_view(
    line: dict[str, Any], scope: str | None, state: WebState, lang: str
) -> dict[str, Any]:
    """`scope`: the KPI page's parameters for the evidence links; None for none."""
    _ = gettext_for(lang)
    kpi = state.kpis.kpi(line["kpi"])
    unit = kpi.unit
    better = _("at least") if kpi.direction.value == "higher_better" else _("at most")
    terms = []
    if line["credit_pct"]:
        terms.append(
            _("credit %s of the fee") % formatting.with_unit(line["credit_pct"], "%", lang)
        )
    if line["bonus_pct"]:
        terms.append(_("bonus %s of the fee") % formatting.with_unit(line["bonus_pct"], "%", lang))
    return {
        "name": line["title"][lang],
        "target": ""
        if line["target"] is None
        else f"{better} {formatting.with_unit(line['target'], unit, lang)}",
        "terms": ", ".join(terms),
        "no_data": line["no_data"],
        "cells": [
            {
                "status": month["status"],
                "status_text": _(STATUS_TEXTS[month["status"]]),
                "final": month["final"],
                "value": _cell_value(month["value"], line["target"], unit, lang),
                "mark": MARKS.get(month["status"], ""),
                "href": _evidence(kpi.id, scope, month)
                if scope is not None and month["value"] is not None
                else "",
            }
            for month in line["months"]
        ],
    }


def _evidence(kpi_id: str, scope: str, month: dict[str, Any]) -> str:
    """The KPI page of the same subject, span and as-of as the cell: the records behind it.
    An ended month is read at its end (a state such as overdue tickets then), the running
    one up to the as-of's day."""
    start = date.fromisoformat(month["period"]["start"][:10])
    end = date.fromisoformat(month["period"]["end"][:10]) - timedelta(days=1)
    whole = start.day == 1 and (end + timedelta(days=1)).day == 1
    span = month["month"] if whole else f"{start}..{end}"
    return f"/kpi/{kpi_id}?{scope}&" + urlencode({"period": span, "as_of": month["as_of"]})


def _total_view(month: dict[str, Any], has_fee: bool, lang: str) -> dict[str, Any]:
    _ = gettext_for(lang)
    judged = month["met"] + month["missed"]
    amount = month["amount"]
    return {
        "status": month["status"],
        "final": month["final"],
        "met": _("%(met)s of %(judged)s met") % {"met": month["met"], "judged": judged}
        if judged
        else "",
        "amount": formatting.with_unit(amount, "€", lang, compact=True)
        if has_fee and amount is not None and judged
        else "",
    }


def _cell_value(value: float | int | None, target: float | None, unit: str, lang: str) -> str:
    """A month's value; a long unit ("tickets/user/month") is left to the target's line."""
    if value is None:
        return ""
    figure = formatting.against(value, target, unit, lang)
    text = formatting.unit_text(unit, lang)
    return f"{figure} {text}" if text and len(text) <= SHORT_UNIT else figure


def _as_of_query(as_of: str | None) -> str:
    """The page's own as-of for its report links ("" for the live one)."""
    return "?" + urlencode({"as_of": as_of}) if as_of else ""


@router.get("/deliverables/{agreement_id}/report.pdf", include_in_schema=False)
def deliverables_report(
    agreement_id: str, request: Request, state: State, user: CurrentUser
) -> Response:
    """One agreement's ended months as a PDF to send the client (or the partner)."""
    lang = language(request)
    data = deliverables_json(state, user, request.query_params.get("as_of"))
    agreements = (data or {}).get("agreements", [])
    agreement = next((a for a in agreements if a["id"] == agreement_id), None)
    if data is None or agreement is None:
        raise NotFound(f"no agreement '{agreement_id}' in deliverables.yaml")
    as_of = formatting.when(datetime.fromisoformat(data["as_of"]), state.stip.settings.tz, lang)
    return Response(
        agreement_pdf(agreement, as_of, lang),
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="deliverables-{agreement_id}.pdf"'},
    )
