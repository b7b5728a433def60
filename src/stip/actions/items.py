"""Action items and their history in the application database (`stip.appdb`).

An item's `dedupe_key` (rule + record) is unique: evaluating again finds the same row and
updates it instead of adding a second one. Statuses: `open`, `done`, `snoozed`,
`dismissed` (with a reason) and `resolved` (closed by Stip because the record no longer
needs the action). Times are stored as naive UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from stip.actions.clock import aware, naive_utc
from stip.appdb import ensure_tables, get_engine, metadata
from stip.errors import UserError
from stip.settings import Settings

OPEN, DONE, SNOOZED, DISMISSED, RESOLVED = "open", "done", "snoozed", "dismissed", "resolved"
LIVE = (OPEN, SNOOZED)

action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    Column("rule", String(120), nullable=False),
    Column("status", String(16), nullable=False, default=OPEN),
    Column("person", String(200)),
    Column("person_id", BigInteger),
    Column("person_role", String(40)),
    Column("subject_resource_id", BigInteger),
    Column("ticket_id", BigInteger),
    Column("company_id", BigInteger),
    Column("contract_id", BigInteger),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("triggered_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("acknowledged_at", DateTime),
    Column("done_at", DateTime),
    Column("closed_at", DateTime),
    Column("snoozed_until", DateTime),
    Column("actor", String(200)),
    Column("reason", Text),
    Column("title_en", Text),
    Column("title_nl", Text),
    Column("why_en", Text),
    Column("why_nl", Text),
    Column("todo_en", Text),
    Column("todo_nl", Text),
    Column("facts", Text),
    Column("parent_id", Integer, ForeignKey("action_items.id")),
    Index("ix_action_items_status", "status"),
    Index("ix_action_items_person", "person_id", "status"),
)

action_item_history = Table(
    "action_item_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("action_items.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("event", String(32), nullable=False),
    Column("actor", String(200)),
    Column("detail", Text),
)

# Fields evaluation may change on a live item when the underlying records change.
UPDATABLE = (
    "person",
    "person_id",
    "person_role",
    "subject_resource_id",
    "ticket_id",
    "company_id",
    "contract_id",
    "urgent",
    "triggered_at",
    "due_at",
    "title_en",
    "title_nl",
    "why_en",
    "why_nl",
    "todo_en",
    "todo_nl",
    "facts",
    "parent_id",
)


@dataclass
class Item:
    """An action item as read back (times aware UTC)."""

    id: int
    rule: str
    status: str
    person: str | None
    person_id: int | None
    person_role: str | None
    subject_resource_id: int | None
    ticket_id: int | None
    company_id: int | None
    contract_id: int | None
    urgent: bool
    triggered_at: datetime
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    done_at: datetime | None
    closed_at: datetime | None
    snoozed_until: datetime | None
    reason: str | None
    title: dict[str, str]
    why: dict[str, str]
    todo: dict[str, str]
    facts: dict[str, Any]
    parent_id: int | None
    dedupe_key: str

    @classmethod
    def from_row(cls, row: Any) -> Item:
        m = row._mapping
        times = {
            k: aware(m[k])
            for k in (
                "triggered_at",
                "due_at",
                "created_at",
                "updated_at",
                "acknowledged_at",
                "done_at",
                "closed_at",
                "snoozed_until",
            )
        }
        return cls(
            id=m["id"],
            rule=m["rule"],
            status=m["status"],
            person=m["person"],
            person_id=m["person_id"],
            person_role=m["person_role"],
            subject_resource_id=m["subject_resource_id"],
            ticket_id=m["ticket_id"],
            company_id=m["company_id"],
            contract_id=m["contract_id"],
            urgent=bool(m["urgent"]),
            reason=m["reason"],
            title={"en": m["title_en"] or "", "nl": m["title_nl"] or ""},
            why={"en": m["why_en"] or "", "nl": m["why_nl"] or ""},
            todo={"en": m["todo_en"] or "", "nl": m["todo_nl"] or ""},
            facts=json.loads(m["facts"] or "{}"),
            parent_id=m["parent_id"],
            dedupe_key=m["dedupe_key"],
            **times,  # type: ignore[arg-type]
        )

    def is_open_at(self, as_of: datetime) -> bool:
        """Open, or snoozed with the snooze over."""
        if self.status == OPEN:
            return True
        return (
            self.status == SNOOZED
            and self.snoozed_until is not None
            and self.snoozed_until <= as_of
        )


def record_history(
    conn: Connection, item_id: int, at: datetime, event: str, actor: str | None, detail: str = ""
) -> None:
    conn.execute(
        action_item_history.insert().values(
            item_id=item_id, at=naive_utc(at), event=event, actor=actor, detail=detail or None
        )
    )


def item_store(settings: Settings) -> ItemStore:
    """The item store of this installation (creates `$STIP_HOME` if needed)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    return ItemStore(get_engine(settings.app_db_url))


class ItemStore:
    """Reads and user transitions of action items."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_tables(engine)

    def get(self, item_id: int) -> Item:
        with self.engine.connect() as conn:
            row = conn.execute(select(action_items).where(action_items.c.id == item_id)).first()
        if row is None:
            raise UserError(f"action item {item_id} does not exist; see `stip actions list`")
        return Item.from_row(row)

    def by_ids(self, ids: list[int]) -> dict[int, Item]:
        """The items with these ids that exist, by id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(action_items).where(action_items.c.id.in_(ids)))
            return {row.id: Item.from_row(row) for row in rows}

    def items(
        self,
        as_of: datetime,
        *,
        open_only: bool = True,
        person: str | None = None,
        person_ids: list[int] | None = None,
        rule_prefix: str | None = None,
        conn: Connection | None = None,
    ) -> list[Item]:
        """Items ordered by due time; open ones are those open at `as_of` whose condition had
        started by then (so listing an earlier as-of never shows a later rating's call-back).
        `conn`: read inside that connection's transaction (see `evaluate(then=...)`)."""
        query = select(action_items)
        c = action_items.c
        if open_only:
            query = query.where(
                or_(
                    c.status == OPEN,
                    and_(c.status == SNOOZED, c.snoozed_until <= naive_utc(as_of)),
                ),
                c.triggered_at <= naive_utc(as_of),
            )
        if person is not None:
            query = query.where(c.person == person)
        if person_ids is not None:
            query = query.where(c.person_id.in_(person_ids))
        if rule_prefix is not None:
            query = query.where(c.rule.startswith(rule_prefix))
        query = query.order_by(c.due_at, c.id)
        if conn is not None:
            return [Item.from_row(row) for row in conn.execute(query)]
        with self.engine.connect() as own:
            return [Item.from_row(row) for row in own.execute(query)]

    def all_items(self) -> list[Item]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(action_items).order_by(action_items.c.id))
            return [Item.from_row(row) for row in rows]

    def touching(
        self,
        start: datetime,
        end: datetime,
        *,
        person_ids: Iterable[int] | None = None,
        subject_ids: Iterable[int] | None = None,
    ) -> list[Item]:
        """Items live now, or triggered, created or done in [start, end): what figures over
        that period need. Done items pile up for years, so pages never read them all. With
        `person_ids` and/or `subject_ids`, only items of those people (assigned or about)."""
        c = action_items.c
        lo, hi = naive_utc(start), naive_utc(end)
        query = select(action_items).where(
            or_(
                c.status.in_(LIVE),
                *(and_(column >= lo, column < hi) for column in (c.triggered_at, c.created_at)),
                and_(c.done_at.is_not(None), c.done_at >= lo, c.done_at < hi),
            )
        )
        people = []
        if person_ids is not None:
            people.append(c.person_id.in_(list(person_ids)))
        if subject_ids is not None:
            people.append(c.subject_resource_id.in_(list(subject_ids)))
        if people:
            query = query.where(or_(*people))
        with self.engine.connect() as conn:
            return [Item.from_row(row) for row in conn.execute(query.order_by(c.id))]

    def history(self, item_id: int) -> list[dict[str, Any]]:
        h = action_item_history.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(action_item_history).where(h.item_id == item_id).order_by(h.id)
            )
            return [{**row._mapping, "at": aware(row.at)} for row in rows]

    def _transition(
        self,
        item_id: int,
        at: datetime,
        actor: str | None,
        event: str,
        detail: str,
        allowed: tuple[str, ...],
        values: dict[str, Any],
    ) -> Item:
        item = self.get(item_id)
        if item.status not in allowed:
            raise UserError(
                f"action item {item_id} is {item.status}; it can only be {event} "
                f"when {' or '.join(allowed)}"
            )
        with self.engine.begin() as conn:
            conn.execute(
                action_items.update()
                .where(action_items.c.id == item_id)
                .values(updated_at=naive_utc(at), actor=actor, **values)
            )
            record_history(conn, item_id, at, event, actor, detail)
        return self.get(item_id)

    def acknowledge(self, item_id: int, at: datetime, actor: str | None) -> Item:
        return self._transition(
            item_id,
            at,
            actor,
            "acknowledged",
            "",
            LIVE,
            {"acknowledged_at": naive_utc(at)},
        )

    def done(self, item_id: int, at: datetime, actor: str | None, note: str = "") -> Item:
        return self._transition(
            item_id,
            at,
            actor,
            "done",
            note,
            LIVE,
            {"status": DONE, "done_at": naive_utc(at), "closed_at": naive_utc(at)},
        )

    def snooze(self, item_id: int, until: datetime, at: datetime, actor: str | None) -> Item:
        if until <= at:
            raise UserError("snooze until must be in the future")
        return self._transition(
            item_id,
            at,
            actor,
            "snoozed",
            until.isoformat(),
            LIVE,
            {"status": SNOOZED, "snoozed_until": naive_utc(until)},
        )

    def dismiss(self, item_id: int, reason: str, at: datetime, actor: str | None) -> Item:
        reason = reason.strip()
        if not reason:
            raise UserError("dismissing an action item needs a reason (why it needs no action)")
        return self._transition(
            item_id,
            at,
            actor,
            "dismissed",
            reason,
            LIVE,
            {"status": DISMISSED, "reason": reason[:2000], "closed_at": naive_utc(at)},
        )
