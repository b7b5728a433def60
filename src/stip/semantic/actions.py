"""Action lists: the records behind a KPI, who should act on each, what to do and why."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import ibis
from ibis.backends import BaseBackend

from stip.semantic import functions, labels
from stip.semantic.bases import base_dimensions, base_table
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.compute import row_condition
from stip.semantic.expressions import column_names, uses_period
from stip.semantic.functions import FunctionContext
from stip.semantic.models import ActionQuery, KpiDefinition
from stip.semantic.query import Scope, Window, apply_scope, join_periods, periods_table
from stip.settings import Settings
from stip.textnumbers import number_text
from stip.untrusted import clean_text


class _Template(string.Formatter):
    """`str.format` that shows a missing value as '—', never looks up attributes, and writes
    a number without a format spec as the text's language writes numbers."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        return kwargs.get(field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return value.strftime(format_spec or "%Y-%m-%d %H:%M")
        if format_spec == "money":  # Stip's own: an amount; any other value as written
            if isinstance(value, int | float):
                return number_text(float(value), self.lang, 2)
            return self.format_field(value, "")
        if isinstance(value, float) and not format_spec:
            return number_text(value, self.lang)
        if isinstance(value, str):
            value = clean_text(value)
        return format(value, format_spec)


_FORMATTER = _Template()
LANGS = ("en", "nl")
_FORMATTERS = {"en": _FORMATTER, "nl": _Template("nl")}
# Names a `what`/`why` text may use besides the record's own columns (see `enrich`).
TEMPLATE_NAMES = ("person", "company", "contact", "contact_phone", "ticket_number", "ticket_title")
_RECORD_EXTRAS = ("id", "ticket_id", "dim_company", "contact_id")


def template_problems(spec: ActionQuery) -> list[tuple[tuple[str, str], str]]:
    """Each `{name}` in the `what`/`why` texts that a row cannot fill (it would show "—"),
    with the text's place (`("why", "nl")`)."""
    known = {spec.person, *spec.fields, *_RECORD_EXTRAS, *TEMPLATE_NAMES}
    problems: list[tuple[tuple[str, str], str]] = []
    for part in ("what", "why"):
        for lang in ("en", "nl"):
            text = getattr(spec, part).get(lang)
            try:
                names = [name for _, name, _, _ in _FORMATTER.parse(text) if name is not None]
            except ValueError as exc:
                message = f"{part}.{lang}: {exc} (write {{{{ and }}}} for a brace)"
                problems.append(((part, lang), message))
                continue
            problems += [
                (
                    (part, lang),
                    f"{part}.{lang}: unknown field '{{{name}}}'; a row has "
                    f"{', '.join(sorted(known))} (add a column to `fields` to use it)",
                )
                for name in names
                if name not in known
            ]
    return problems


def _render(template: str, values: dict[str, Any], lang: str) -> str:
    return _FORMATTERS[lang].vformat(template, (), values)


@dataclass
class Found:
    """One KPI's action records, before their names are looked up."""

    kpi: KpiDefinition
    base: str
    person: str
    records: list[dict[str, Any]]

    @property
    def ticket_ids(self) -> list[int | None]:
        if self.base == "tickets":
            return [r["id"] for r in self.records]
        return [r.get("ticket_id") for r in self.records]


@dataclass
class Labels:
    """Names for the ids of several action lists, looked up with one query per kind."""

    people: dict[int, str]
    companies: dict[int, str]
    contacts: dict[int, tuple[str, str | None]]  # name, phone
    tickets: dict[int, dict[str, Any]]
    picklists: dict[str, dict[int, str]]  # ticket column -> value -> label


def find_actions(
    con: BaseBackend,
    settings: Settings,
    calendar: BusinessCalendar,
    kpi: KpiDefinition,
    window: Window,
    scope: Scope,
    limit: int | None = None,
) -> Found | None:
    """The records someone must act on (ids, no names yet): all of them, or the first
    `limit` and at most the definition's `limit`; None when the KPI has no action list or
    the scope does not fit its base."""
    spec = kpi.actions
    if spec is None:
        return None
    registered = functions.ACTIONS[spec.function] if spec.function else None
    base = registered.base if registered else spec.base or str(kpi.measure.base)
    available = base_dimensions(base)
    if any(dim not in available for dim in scope.dims):
        return None
    periods = periods_table([window], calendar)
    if registered is not None:
        ctx = FunctionContext(con, settings, calendar, [window], periods, None, scope)
        rows = registered.fn(ctx)
    else:
        rows = _picked(con, settings, kpi, spec, base, window, periods, scope)
    keys = [
        ibis.desc(rows[c[1:]]) if c.startswith("-") else ibis.asc(rows[c]) for c in spec.order_by
    ]
    rows = rows.order_by([*keys, ibis.asc(rows.id)])
    caps = [cap for cap in (limit, spec.limit) if cap is not None]
    if caps:
        rows = rows.limit(min(caps))
    wanted = ["id", spec.person, *spec.fields]
    for extra in ("ticket_id", "dim_company", "contact_id"):
        if extra in rows.columns:
            wanted.append(extra)
    records = rows.select(*dict.fromkeys(wanted)).to_pyarrow().to_pylist()
    return Found(kpi, base, spec.person, records)


def _picked(
    con: BaseBackend,
    settings: Settings,
    kpi: KpiDefinition,
    spec: ActionQuery,
    base: str,
    window: Window,
    periods: ibis.Table,
    scope: Scope,
) -> ibis.Table:
    """The records of `base` in the window that the action list's (or measure's) `where`
    picks."""
    same_base = base == kpi.measure.base
    time = spec.time if spec.time or not same_base else kpi.measure.time
    where = spec.where if spec.where is not None else (kpi.measure.where if same_base else [])
    available = base_dimensions(base)
    dims = [d for d in ("resource", "company", *scope.dims) if d in available]
    columns = {name for text in where for name in column_names(text)}
    columns |= {c.removeprefix("-") for c in spec.order_by} | {spec.person, *spec.fields}
    columns |= {time} if time else set()
    table = apply_scope(base_table(con, base, dims, columns=columns), scope)
    needs = any(uses_period(text) for text in where)
    rows = join_periods(table, periods, time, [window], period_columns=needs)
    values = {
        "csat_scale_max": float(settings.csat_scale_max),
        "hours_per_day": float(settings.available_hours_per_day),
    }
    cond = row_condition(rows, list(where), values)
    return rows if cond is None else rows.filter(cond)


def lookup_labels(con: BaseBackend, found: list[Found]) -> Labels:
    """The names behind all ids of `found`: one query per kind of name, not per list."""
    tickets = labels.ticket_info(con, (t for f in found for t in f.ticket_ids))
    records = [
        _with_ticket_client(r, tickets.get(t) if t is not None else None)
        for f in found
        for r, t in zip(f.records, f.ticket_ids, strict=True)
    ]
    return Labels(
        people=labels.person_names(con, (r.get(f.person) for f in found for r in f.records)),
        companies=labels.dimension_labels(con, "company", (r.get("dim_company") for r in records)),
        contacts=labels.contacts(con, (r.get("contact_id") for r in records)),
        tickets=tickets,
        picklists={
            column: labels.picklist_labels(
                con,
                field,
                (r.get(column) for f in found if column in _picklist_fields(f) for r in f.records),
            )
            for column, field in labels.TICKET_PICKLISTS.items()
            if any(column in _picklist_fields(f) for f in found)
        },
    )


def _with_ticket_client(record: dict[str, Any], ticket: dict[str, Any] | None) -> dict[str, Any]:
    """A record's client and contact, each taken from its ticket when the record lacks it.

    A survey answer without a company or contact is still about its ticket: the one to call
    back is the ticket's contact, at the ticket's company (not "Call — at —")."""
    if ticket is None:
        return record
    out = dict(record)
    if "dim_company" in record and record["dim_company"] is None:
        out["dim_company"] = ticket["company_id"]
    if "contact_id" in record and record["contact_id"] is None:
        out["contact_id"] = ticket["contact_id"]
    return out


def _picklist_fields(found: Found) -> list[str]:
    """The `fields` of a ticket action list that hold picklist values (they get a label)."""
    spec = found.kpi.actions
    if found.base != "tickets" or spec is None:
        return []
    return [name for name in spec.fields if name in labels.TICKET_PICKLISTS]


def enrich(found: Found, names: Labels, settings: Settings) -> list[dict[str, Any]]:
    """The action rows of `found`: who, on what, what to do and why, in both languages."""
    kpi, base, person_column = found.kpi, found.base, found.person
    spec = kpi.actions
    assert spec is not None
    out = []
    for stored, ticket_id in zip(found.records, found.ticket_ids, strict=True):
        ticket = names.tickets.get(ticket_id) if ticket_id is not None else None
        record = _with_ticket_client(stored, ticket)
        local = {k: _local(v, settings) for k, v in record.items()}
        person_id = record.get(person_column)
        contact = names.contacts.get(record["contact_id"]) if record.get("contact_id") else None
        context = {
            **local,
            "person": names.people.get(person_id) if person_id is not None else None,
            "company": (
                names.companies.get(record["dim_company"]) if record.get("dim_company") else None
            ),
            "contact": contact[0] if contact else None,
            "contact_phone": contact[1] if contact else None,
            "ticket_number": ticket["ticket_number"] if ticket else None,
            "ticket_title": ticket["title"] if ticket else None,
        }
        row: dict[str, Any] = {
            "ticket_id": ticket_id,
            "company_id": record.get("dim_company"),
            "company": context["company"],
            "resource_id": person_id,
            "person_id": person_id,
            "person": context["person"],
            "what": {lang: _render(getattr(spec.what, lang), context, lang) for lang in LANGS},
            "why": {lang: _render(getattr(spec.why, lang), context, lang) for lang in LANGS},
        }
        if base != "tickets":
            row[f"{_singular(base)}_id"] = record["id"]
        if "contact_id" in record:
            row["contact_id"] = record["contact_id"]
            row["contact"] = context["contact"]
            row["contact_phone"] = context["contact_phone"]
        if ticket is not None:
            row.setdefault("ticket_number", ticket["ticket_number"])
            row.setdefault("title", ticket["title"])
        for name in spec.fields:
            row[name] = _json(local[name])
        for name in _picklist_fields(found):
            row[f"{name}_label"] = names.picklists[name].get(record[name])
        out.append(row)
    return out


def _local(value: Any, settings: Settings) -> Any:
    """Stored naive-UTC timestamps as aware local times; everything else unchanged."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).astimezone(settings.tz)
    return value


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _singular(table: str) -> str:
    """`time_entries` -> `time_entry`, `survey_results` -> `survey_result`."""
    if table.endswith("ies"):
        return table[:-3] + "y"
    return table.removesuffix("s")
