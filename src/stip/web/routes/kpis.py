"""KPI drill-down `/kpi/{id}`: definition, history, breakdowns, actions, CSV/Excel export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from stip.accounts.users import User
from stip.semantic.guardrails import has_interval, interval, too_few
from stip.semantic.models import Direction, KpiDefinition
from stip.semantic.periods import trend_periods
from stip.web import exports, formatting, svg
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import BadRequest, Forbidden
from stip.web.filesource import may_fix
from stip.web.i18n import babel_locale, gettext_for
from stip.web.people import ticket_link
from stip.web.scope import Scope, When, resolve_scope, resolve_when
from stip.web.state import WebState
from stip.web.templating import render
from stip.web.viewmodel import TileView, is_stale, period_label, query_string, tile_view

router = APIRouter()

# The KPI page shows the first rows of an action list; its CSV and Excel exports hold all.
PAGE_ACTION_ROWS = 500
DIMENSION_LABELS = {
    "resource": "person",
    "company": "client",
    "queue": "queue",
    "priority": "priority",
    "team": "team",
}
#: The header of every column an action list can have (docs/kpi-authoring.md, "actions"): the
#: fixed ones, `<record>_id` of lists on other bases than tickets, and every `fields` entry of
#: the catalogue (a test checks they are all here, with Dutch). English; Dutch in messages.po.
COLUMN_LABELS = {
    "ticket_id": "Ticket id",
    "ticket_number": "Ticket",
    "title": "Title",
    "company": "Client",
    "company_id": "Client id",
    "contact": "Contact",
    "contact_id": "Contact id",
    "phone": "Phone",
    "contact_phone": "Phone",
    "person": "Who",
    "person_id": "Who (id)",  # the `person` column of the list; the same id as resource_id
    "resource": "Who",
    "resource_id": "Resource id",
    "what": "What to do",
    "why": "Why",
    "due": "Due",
    "rating": "Rating",
    "priority": "Priority",
    "queue": "Queue",
    "queue_id": "Queue",
    "status": "Status",
    "survey_result_id": "Survey id",
    "time_entry_id": "Time entry id",
    "create_date": "Created",
    "due_date_time": "Due date",
    "first_response_date_time": "First response",
    "first_response_due_date_time": "First response due",
    "resolution_plan_date_time": "Resolution plan",
    "resolution_plan_due_date_time": "Resolution plan due",
    "resolved_date_time": "Resolved",
    "resolved_due_date_time": "Resolution due",
    "completed_date": "Completed",
    "complete_date": "Survey completed",
    "survey_rating": "Survey rating",
    "company_rating": "Client rating",
    "resource_rating": "Engineer rating",
    "date_worked": "Date worked",
    "hours_worked": "Hours worked",
    "invoice_id": "Invoice id",
    "invoice_number": "Invoice",
    "invoice_total": "Amount",
    "due_date": "Due date",
    "open_tickets": "Open tickets",
    "open_limit": "Limit",
    "contract_id": "Contract id",
    "contract_name": "Contract",
    "end_date": "End date",
    "revenue": "Revenue",
    "cost": "Cost",
    "loss": "Loss",
}


def column_label(key: str, lang: str) -> str:
    """An action-table header; a field of a KPI file of your own without one reads as words.
    A picklist's label (`priority_label`) has the header of its field."""
    key = key.removesuffix("_label")
    label = COLUMN_LABELS.get(key)
    if label is None:
        return key.replace("_", " ").capitalize()
    return gettext_for(lang)(label)


@dataclass
class Breakdown:
    dim: str
    label: str
    rows: list[dict[str, Any]]
    intervals: bool  # a share: each row says how far its true rate may lie (guardrails)
    csv: str
    xlsx: str


def _interval_text(kpi: KpiDefinition, value: float | None, n: int, lang: str) -> str:
    """ "31.0-86.5" (%): the 95 % interval of a share over `n` records; else ""."""
    bounds = interval(kpi, value, n)
    if bounds is None:
        return ""
    low, high = (formatting.number(b, kpi.unit, lang) for b in bounds)
    return f"{low}–{high}"


@dataclass
class Column:
    key: str
    label: str


@dataclass
class ActionRow:
    cells: dict[str, str]
    link: str | None


def _worst_first(kpi: KpiDefinition, value: Any, few: bool) -> tuple[int, float]:
    """A breakdown row's place: the worst value first (by the KPI's direction), then rows
    with too few records to judge, then rows without a value."""
    if value is None:
        return (2, 0.0)
    low_first = kpi.direction == Direction.higher_better
    return (1 if few else 0, float(value) if low_first else -float(value))


@dataclass
class KpiView:
    id: str
    name: str
    description: str
    formula: str
    unit: str
    direction: str
    target_text: str
    period_label: str
    data_as_of_text: str
    as_of_text: str  # a pinned as-of (`as_of=` in the URL), else ""
    stale: bool
    scope_label: str
    tile: TileView
    history: Markup
    breakdowns: list[Breakdown] = field(default_factory=list)
    has_actions: bool = False
    action_columns: list[Column] = field(default_factory=list)
    action_rows: list[ActionRow] = field(default_factory=list)
    actions_cut: bool = False
    actions_withheld: bool = False  # the rows name amounts the viewer's role may not see
    link_column: str = ""
    actions_csv: str = ""
    actions_xlsx: str = ""
    unit_name: str = ""  # `unit` in the viewer's language ("count" -> "aantal")


def check_kpi_access(
    user: User, kpi: KpiDefinition, state: WebState, *, actions: bool = False
) -> None:
    """403 unless the user may see the KPI, and with `actions`, its action rows too."""
    if not state.kpis.may_see(user.role, kpi, actions=actions):
        raise Forbidden("your role may not see money figures")


def _context(
    request: Request, state: WebState, user: User, kpi_id: str
) -> tuple[KpiDefinition, Scope, When]:
    kpi = state.kpis.kpi(kpi_id)
    check_kpi_access(user, kpi, state)
    q = request.query_params
    scope = resolve_scope(
        user, False, q.get("resource"), q.get("team"), state.people, q.get("company")
    )
    when = resolve_when(
        state.kpis, q.get("period"), q.get("custom"), q.get("as_of"), kpi.default_period
    )
    return kpi, scope, when


def _dimensions(kpi: KpiDefinition, scope: Scope) -> list[str]:
    dims: list[str] = list(kpi.dimensions)
    if scope.resource_id is not None:
        dims = [d for d in dims if d not in ("resource", "team")]
    elif scope.team_id is not None:
        dims = [d for d in dims if d != "team"]
    elif scope.company_id is not None:
        dims = [d for d in dims if d != "company"]
    return dims


def _history(kpi: KpiDefinition, when: When, tile: Any, lang: str) -> Markup:
    """The tile's trend (one value per period, oldest first, ending with this period)."""
    periods = trend_periods(when.period, len(tile.trend))
    shown = [(p, v) for p, v in zip(periods, tile.trend, strict=True) if p is not None]
    values = [None if v is None else float(v) for _, v in shown]
    labels = [format_date(p.start_date, "d MMM yy", locale=babel_locale(lang)) for p, _ in shown]
    texts = [formatting.number(v, kpi.unit, lang) for v in values]
    return svg.history_chart(labels, values, kpi.target, texts, kpi.name.get(lang))


# Columns every action row has; a list of records that are no tickets (people, invoices)
# leaves out those it never fills.
_RECORD_COLUMNS = frozenset({"ticket_id", "ticket_number", "title", "company", "company_id"})


def _action_table(
    rows: list[dict[str, Any]], lang: str, web_url: str | None
) -> tuple[list[Column], list[ActionRow], str]:
    """The page's table of an action list: what a reader acts on, in the page's language.

    Ids are left out (the ticket number links to the ticket; the CSV and Excel files keep
    every column), so are the ticket and client columns of a list that has neither (a list
    of people), a picklist value shows its label, and times read as local dates."""
    ticketless = all(row.get("ticket_id") is None for row in rows)
    keys = [
        key
        for key in dict.fromkeys(key for row in rows for key in row)
        if not (ticketless and key in _RECORD_COLUMNS)
        or any(row.get(key) is not None for row in rows)
    ]
    link_column = "ticket_number" if "ticket_number" in keys else "ticket_id"
    shown = [
        k
        for k in keys
        if k == link_column
        or not (k.endswith("_id") or k.startswith("dim_") or f"{k}_label" in keys)
    ]
    columns = [Column(k, column_label(k, lang)) for k in shown]
    out = []
    for row in rows:
        cells = {key: _cell_text(row.get(key), lang) for key in shown}
        out.append(ActionRow(cells, ticket_link(web_url, row.get("ticket_id"))))
    return columns, out, link_column


# Only a whole value that is a time (as the engine writes them) is shown as one: PSA text
# such as a ticket title "2026-10-21T09:00 backup failed" stays text.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cell_text(value: Any, lang: str) -> str:
    locale = babel_locale(lang)
    if value is None:
        return ""
    if isinstance(value, dict) and set(value) >= {"en", "nl"}:
        return str(value[lang])
    if isinstance(value, bool):
        return gettext_for(lang)("yes" if value else "no")
    if isinstance(value, float):
        return format_decimal(value, "#,##0.##", locale=locale)
    try:
        if isinstance(value, str) and _ISO_TIME.fullmatch(value):
            moment = datetime.fromisoformat(value)
            return format_datetime(moment, "d MMM yyyy HH:mm", tzinfo=moment.tzinfo, locale=locale)
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            return formatting.day(date.fromisoformat(value), lang)
    except ValueError:  # looks like a date but is none (PSA text): shown as written
        pass
    return str(value)


@router.get("/kpi/{kpi_id}", include_in_schema=False)
def kpi_page(kpi_id: str, request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    _ = gettext_for(lang)
    tz = state.stip.settings.tz
    kpi, scope, when = _context(request, state, user, kpi_id)
    link = {
        "period": when.choice or when.custom or None,
        "as_of": when.as_of_param or None,
        **scope.params(),
    }
    tile = state.kpis.tiles([kpi.id], when.period, when.as_of, scope.to_engine())[0]
    tile = state.kpis.shown(user.role, kpi, tile)
    data_as_of = getattr(tile, "data_as_of", None)
    base = f"/kpi/{kpi.id}"
    breakdowns = []
    for dim in _dimensions(kpi, scope):
        result = state.kpis.values(
            kpi.id, when.period, when.as_of, dim, scope.to_engine()
        ).to_json()
        rows = []
        for row in result["rows"]:
            name = row["by"].get(dim)
            ident = row["by"].get(f"{dim}_id")
            # each row is one person, team, client, queue or priority: not judged on too few
            few = too_few(kpi, row["value"], row["n"])
            status = "none" if few else row.get("status") or "none"
            rows.append(
                {
                    "name": name
                    if name not in (None, "")
                    else (f"#{ident}" if ident is not None else _("(none)")),
                    "value_text": formatting.number(row["value"], kpi.unit, lang),
                    "interval": _interval_text(kpi, row["value"], row["n"], lang),
                    "n": row["n"],
                    "status": status,
                    "status_text": _("too few to judge") if few else _(status),
                    "order": _worst_first(kpi, row["value"], few),
                }
            )
        rows.sort(key=lambda r: r["order"])
        breakdowns.append(
            Breakdown(
                dim,
                _(DIMENSION_LABELS.get(dim, dim)),
                rows,
                has_interval(kpi),
                f"{base}/export.csv" + query_string(table=dim, **link),
                f"{base}/export.xlsx" + query_string(table=dim, **link),
            )
        )
    view = KpiView(
        id=kpi.id,
        name=kpi.name.get(lang),
        description=kpi.description.get(lang),
        formula=kpi.formula.get(lang),
        unit=kpi.unit,
        unit_name=formatting.unit_name(kpi.unit, lang),
        direction=_("higher") if kpi.direction == Direction.higher_better else _("lower"),
        target_text=formatting.target_text(kpi.target, kpi.ceiling, kpi.unit, lang),
        period_label=period_label(when.period, lang, tz),
        data_as_of_text=formatting.when(data_as_of, tz, lang),
        as_of_text="" if when.live else formatting.when(when.as_of, tz, lang),
        stale=is_stale(data_as_of, when.live),
        scope_label=scope.label(state.people, lang),
        tile=tile_view(
            "main", kpi.name.get(lang), "l", kpi, tile, lang, "#actions", when.live, tz, when.period
        ),
        history=_history(kpi, when, tile, lang),
        breakdowns=breakdowns,
        has_actions=kpi.has_actions,
        actions_withheld=kpi.has_actions and not state.kpis.may_see(user.role, kpi, actions=True),
    )
    if kpi.has_actions and not view.actions_withheld:
        rows = state.kpis.actions(
            kpi.id, when.period, when.as_of, scope.to_engine(), PAGE_ACTION_ROWS + 1
        ).to_json()["rows"]
        view.actions_cut = len(rows) > PAGE_ACTION_ROWS
        view.action_columns, view.action_rows, view.link_column = _action_table(
            rows[:PAGE_ACTION_ROWS], lang, state.people.psa_web_url()
        )
        view.actions_csv = f"{base}/export.csv" + query_string(table="actions", **link)
        view.actions_xlsx = f"{base}/export.xlsx" + query_string(table="actions", **link)
    return render(request, "kpi.html", {"k": view, "can_edit": may_fix(user)})


@router.get("/kpi/{kpi_id}/export.{fmt}", include_in_schema=False)
def kpi_export(
    kpi_id: str, fmt: str, request: Request, state: State, user: CurrentUser
) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise BadRequest("export format must be csv or xlsx")
    kpi, scope, when = _context(request, state, user, kpi_id)
    table = request.query_params.get("table") or "values"
    if table == "actions":
        if not kpi.has_actions:
            raise BadRequest(f"KPI {kpi.id} has no action list")
        check_kpi_access(user, kpi, state, actions=True)
        rows = state.kpis.actions(kpi.id, when.period, when.as_of, scope.to_engine()).to_json()[
            "rows"
        ]
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        data = [[_plain(row.get(c)) for c in columns] for row in rows]
    else:
        dim = None if table == "values" else table
        if dim is not None and dim not in _dimensions(kpi, scope):
            raise BadRequest(f"KPI {kpi.id} has no breakdown by '{table}'")
        result = state.kpis.values(
            kpi.id, when.period, when.as_of, dim, scope.to_engine()
        ).to_json()
        columns = ([f"{dim}_id", dim] if dim else []) + ["value", "n", "target", "status"]
        data = [
            ([row["by"].get(f"{dim}_id"), row["by"].get(dim)] if dim else [])
            + [row["value"], row["n"], row.get("target"), row.get("status")]
            for row in result["rows"]
        ]
    return exports.download(
        fmt, f"{kpi.id}-{table}-{when.period.start_date}", kpi.id, columns, data
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict) and "en" in value:
        return value["en"]
    return value
