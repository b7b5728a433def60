"""The weekly team meeting agenda for a team lead.

Covers the 7 days before the as-of time: the week's exceptions (action items for the team)
and what was done about them, trends against the 7 days before that, and per engineer the
basics: reliability (SLA met, overdue now), customer focus (CSAT, call-backs done) and
communication (tickets gone 3 business days without a customer update).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import ibis
from ibis.backends import BaseBackend

from stip.actions.clock import naive_utc
from stip.actions.items import DONE, Item, item_store
from stip.actions.labels import label
from stip.actions.people import load_directory
from stip.actions.selectors import money_rules
from stip.app import Stip
from stip.errors import UserError

CALLBACK_RULE = "csat_low_callback"
STALE_RULE = "no_customer_update"


@dataclass
class Exception_:
    item_id: int
    rule: str
    person: str
    title: dict[str, str]
    why: dict[str, str]
    status: str
    due: str
    done_at: str | None
    reason: str | None


@dataclass
class EngineerBasics:
    resource_id: int
    name: str
    sla_met_pct: float | None
    sla_n: int
    overdue_now: int
    csat_pct: float | None
    csat_n: int
    callbacks_done: int
    callbacks_total: int
    stale_tickets: int


@dataclass
class Agenda:
    team_id: int
    team: str
    lead: str | None
    lead_resource_id: int | None
    start: datetime
    end: datetime
    exceptions: list[Exception_] = field(default_factory=list)
    trends: list[dict[str, Any]] = field(default_factory=list)
    engineers: list[EngineerBasics] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data

    def title(self, lang: str) -> str:
        return label("meeting_title", lang, team=self.team, week=self.start.date().isoformat())

    def as_text(self, lang: str) -> str:
        lines = [self.title(lang), "", label("exceptions", lang)]
        for ex in self.exceptions:
            lines.append(
                f"- [{label('status_' + ex.status, lang)}] {ex.person}: "
                f"{ex.title.get(lang)} - {ex.why.get(lang)}"
            )
        if not self.exceptions:
            lines.append(label("none", lang))
        lines += ["", label("trends", lang)]
        for trend in self.trends:
            lines.append(
                f"- {trend['label'][lang]}: {_num(trend['this'])} "
                f"({label('last_week', lang)}: {_num(trend['previous'])})"
            )
        lines += ["", label("engineers", lang)]
        for e in self.engineers:
            lines.append(
                f"- {e.name}: {label('sla_met', lang)} {_num(e.sla_met_pct)}, "
                f"{label('overdue_now', lang)} {e.overdue_now}, {label('csat', lang)} "
                f"{_num(e.csat_pct)}, {label('callbacks', lang)} {e.callbacks_done}/"
                f"{e.callbacks_total}, {label('stale_tickets', lang)} {e.stale_tickets}"
            )
        return "\n".join(lines)


def _num(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def _ticket_stats(
    con: BaseBackend, members: list[int], start: datetime, end: datetime, scale: float
) -> dict[int, dict[str, float]]:
    """Per engineer for [start, end): created, completed, SLA counts, CSAT, low ratings."""
    t = con.table("tickets")
    mine = t.filter(t.assigned_resource_id.isin(members))
    s0, e0 = naive_utc(start), naive_utc(end)
    completed = mine.filter(mine.completed_date >= s0, mine.completed_date < e0)
    stats: dict[int, dict[str, float]] = {m: {} for m in members}
    created = (
        mine.filter(mine.create_date >= s0, mine.create_date < e0)
        .group_by(r=mine.assigned_resource_id)
        .aggregate(n=ibis._.count())
    )
    for row in created.to_pyarrow().to_pylist():
        stats[row["r"]]["created"] = row["n"]
    sla = completed.filter(
        completed.service_level_agreement_id.notnull(),
        completed.service_level_agreement_has_been_met.notnull(),
    )
    done = completed.group_by(r=completed.assigned_resource_id).aggregate(n=ibis._.count())
    for row in done.to_pyarrow().to_pylist():
        stats[row["r"]]["completed"] = row["n"]
    met = sla.group_by(r=sla.assigned_resource_id).aggregate(
        n=ibis._.count(), met=sla.service_level_agreement_has_been_met.ifelse(1, 0).sum()
    )
    for row in met.to_pyarrow().to_pylist():
        stats[row["r"]].update(sla_n=row["n"], sla_met=row["met"] or 0)
    sv = con.table("survey_results")
    surveys = sv.filter(sv.complete_date >= s0, sv.complete_date < e0, sv.survey_rating.notnull())
    owners = mine.select(tid=mine.id, r=mine.assigned_resource_id)
    rated = surveys.join(owners, surveys.ticket_id == owners.tid)
    csat = rated.group_by("r").aggregate(
        n=ibis._.count(),
        total=rated.survey_rating.sum(),
        low=(rated.survey_rating < 0.6 * scale).ifelse(1, 0).sum(),
    )
    for row in csat.to_pyarrow().to_pylist():
        stats[row["r"]].update(csat_n=row["n"], csat_total=row["total"], low=row["low"] or 0)
    return stats


def _overdue_now(con: BaseBackend, members: list[int], as_of: datetime) -> dict[int, int]:
    t = con.table("tickets")
    now = naive_utc(as_of)
    late = (
        t.filter(
            t.assigned_resource_id.isin(members),
            t.create_date <= now,
            t.completed_date.isnull() | (t.completed_date > now),
            t.due_date_time < now,
        )
        .group_by(r=t.assigned_resource_id)
        .aggregate(n=ibis._.count())
    )
    return {row["r"]: row["n"] for row in late.to_pyarrow().to_pylist()}


def _sum(stats: dict[int, dict[str, float]], key: str) -> float:
    return sum(s.get(key, 0) for s in stats.values())


def _count(stats: dict[int, dict[str, float]], key: str) -> int:
    return int(_sum(stats, key))


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def build_agenda(stip: Stip, team_id: int, as_of: datetime, *, money: bool = True) -> Agenda:
    """The team's week; `money=False` leaves out items that show client money (for readers
    whose role may not see it)."""
    end = as_of
    start = end - timedelta(days=7)
    before = start - timedelta(days=7)
    scale = stip.settings.csat_scale_max
    with stip.store.read() as con:
        directory = load_directory(con, {})
        if team_id not in directory.team_names:
            known = ", ".join(f"{k} ({v})" for k, v in sorted(directory.team_names.items()))
            raise UserError(f"team {team_id} does not exist; known teams: {known or 'none'}")
        members = directory.members(team_id)
        now = _ticket_stats(con, members, start, end, scale) if members else {}
        previous = _ticket_stats(con, members, before, start, scale) if members else {}
        overdue = _overdue_now(con, members, as_of) if members else {}
    lead_id = directory.leads.get(team_id)
    agenda = Agenda(
        team_id,
        directory.team_names[team_id],
        directory.resource_name(lead_id) if lead_id else None,
        lead_id,
        start,
        end,
    )
    items = item_store(stip.settings).touching(before, end, person_ids=members, subject_ids=members)
    week_items = [i for i in items if start <= i.created_at < end and i.parent_id is None]
    if not money:
        hidden = money_rules(stip.settings.home)
        week_items = [i for i in week_items if i.rule not in hidden]
    tz = stip.settings.tz
    for item in week_items:
        agenda.exceptions.append(_exception(item, tz))
    agenda.trends = [
        _trend("tickets_created", _count(now, "created"), _count(previous, "created")),
        _trend("tickets_completed", _count(now, "completed"), _count(previous, "completed")),
        _trend(
            "sla_met",
            _pct(_sum(now, "sla_met"), _sum(now, "sla_n")),
            _pct(_sum(previous, "sla_met"), _sum(previous, "sla_n")),
        ),
        _trend(
            "csat",
            _pct(_sum(now, "csat_total"), _sum(now, "csat_n") * scale),
            _pct(_sum(previous, "csat_total"), _sum(previous, "csat_n") * scale),
        ),
        _trend("low_ratings", _count(now, "low"), _count(previous, "low")),
        _trend(
            "items_created",
            len(week_items),
            sum(1 for i in items if before <= i.created_at < start and i.parent_id is None),
        ),
        _trend(
            "items_done",
            sum(1 for i in items if i.done_at and start <= i.done_at < end),
            sum(1 for i in items if i.done_at and before <= i.done_at < start),
        ),
    ]
    for member in members:
        s = now.get(member, {})
        calls = [
            i
            for i in items
            if i.rule == CALLBACK_RULE
            and i.subject_resource_id == member
            and start <= i.triggered_at < end
        ]
        agenda.engineers.append(
            EngineerBasics(
                resource_id=member,
                name=directory.resource_name(member),
                sla_met_pct=_pct(s.get("sla_met", 0), s.get("sla_n", 0)),
                sla_n=int(s.get("sla_n", 0)),
                overdue_now=overdue.get(member, 0),
                csat_pct=_pct(s.get("csat_total", 0), s.get("csat_n", 0) * scale),
                csat_n=int(s.get("csat_n", 0)),
                callbacks_done=sum(1 for i in calls if i.status == DONE),
                callbacks_total=len(calls),
                stale_tickets=sum(
                    1
                    for i in items
                    if i.rule == STALE_RULE
                    and i.subject_resource_id == member
                    and i.is_open_at(as_of)
                ),
            )
        )
    return agenda


def _trend(key: str, this: float | None, previous: float | None) -> dict[str, Any]:
    return {
        "key": key,
        "label": {"en": label(key, "en"), "nl": label(key, "nl")},
        "this": this,
        "previous": previous,
    }


def _exception(item: Item, tz: Any) -> Exception_:
    return Exception_(
        item_id=item.id,
        rule=item.rule,
        person=item.person or "-",
        title=item.title,
        why=item.why,
        status=item.status,
        due=item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        done_at=item.done_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if item.done_at else None,
        reason=item.reason,
    )
