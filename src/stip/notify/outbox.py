"""The outbox: every message is a row first, sent later, retried with backoff on failure.

A row's `dedupe_key` is unique, so queueing the same digest or the same urgent item twice is
a no-op. Sending respects the per-recipient rate limit (excess is deferred, not dropped).
After `max_attempts` failures a row is `failed`: it stays in the table, shows on
`/admin/deliveries`, and can be queued again with `retry()`. A row whose message is no longer
needed when its turn comes (its action items were closed meanwhile) is `cancelled`, with the
reason in `last_error`: kept as history, never sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from stip.actions.clock import aware, naive_utc
from stip.appdb import ensure_tables, metadata
from stip.errors import UserError

log = logging.getLogger("stip.notify")

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("person", String(200)),
    Column("language", String(8)),
    Column("subject", Text),
    Column("body_text", Text),
    Column("body_html", Text),
    Column("payload", Text),
    Column("item_ids", Text),
    Column("status", String(16), nullable=False, default=PENDING),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)


@dataclass
class Message:
    """One message to queue; `payload` is the JSON body for Teams."""

    dedupe_key: str
    channel: str
    kind: str
    recipient: str
    person: str | None
    language: str
    subject: str
    body_text: str = ""
    body_html: str = ""
    payload: dict[str, Any] | None = None
    item_ids: tuple[int, ...] = ()
    not_before: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """One failed attempt of this flush."""

    delivery_id: int
    channel: str
    error: str

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} ({self.channel}): {self.error}"


@dataclass
class FlushReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0
    failures: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class Revision:
    """A review's verdict on a due row: cancel it (and why), or send it with `changes`
    (column values, e.g. a digest rendered again without the items closed meanwhile)."""

    cancel: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)


Sender = Callable[[Any], None]
Review = Callable[[dict[str, Any], datetime], Revision]


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_tables(engine)

    def queued_keys(self, keys: list[str]) -> set[str]:
        c = deliveries.c
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                found.update(
                    conn.execute(select(c.dedupe_key).where(c.dedupe_key.in_(chunk))).scalars()
                )
        return found

    def enqueue(self, message: Message, now: datetime) -> bool:
        """Queue a message unless one with its key exists; True when it was queued."""
        row = {
            "dedupe_key": message.dedupe_key,
            "channel": message.channel,
            "kind": message.kind,
            "recipient": message.recipient,
            "person": message.person,
            "language": message.language,
            "subject": message.subject,
            "body_text": message.body_text,
            "body_html": message.body_html,
            "payload": json.dumps(message.payload) if message.payload is not None else None,
            "item_ids": ",".join(str(i) for i in message.item_ids),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": naive_utc(message.not_before or now),
            "created_at": naive_utc(now),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(deliveries.insert().values(**row))
        except IntegrityError:
            return False
        return True

    def rows(self, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        c = deliveries.c
        query = select(deliveries).order_by(c.id.desc()).limit(limit)
        if status:
            query = query.where(c.status == status)
        with self.engine.connect() as conn:
            return [_out(row._mapping) for row in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        c = deliveries.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.status, func.count()).group_by(c.status)).all()
        return {status: count for status, count in rows}

    def retry(self, delivery_id: int, now: datetime) -> None:
        c = deliveries.c
        with self.engine.begin() as conn:
            updated = conn.execute(
                deliveries.update()
                .where(c.id == delivery_id, c.status == FAILED)
                .values(status=PENDING, next_attempt_at=naive_utc(now), attempts=0)
            ).rowcount
        if not updated:
            raise UserError(f"delivery {delivery_id} is not a failed delivery")

    def flush(
        self,
        now: datetime,
        senders: dict[str, Sender],
        rate_limit: int,
        max_attempts: int,
        review: Review | None = None,
    ) -> FlushReport:
        """Send every pending row that is due, through the sender of its channel; `review`
        first checks that a row is still worth sending (a row may wait hours or days)."""
        c = deliveries.c
        report = FlushReport()
        with self.engine.connect() as conn:
            due = conn.execute(
                select(deliveries)
                .where(c.status == PENDING, c.next_attempt_at <= naive_utc(now))
                .order_by(c.next_attempt_at, c.id)
            ).all()
        for row in due:
            values = self._attempt(
                _out(row._mapping), now, senders, rate_limit, max_attempts, review, report
            )
            with self.engine.begin() as conn:
                conn.execute(deliveries.update().where(c.id == row.id).values(**values))
        return report

    def _attempt(
        self,
        row: dict[str, Any],
        now: datetime,
        senders: dict[str, Sender],
        rate_limit: int,
        max_attempts: int,
        review: Review | None,
        report: FlushReport,
    ) -> dict[str, Any]:
        revision = review(row, now) if review is not None else Revision()
        if revision.cancel is not None:
            report.cancelled += 1
            log.info("delivery %s not sent: %s", row["id"], revision.cancel)
            return {"status": CANCELLED, "last_error": revision.cancel}
        changes = revision.changes
        row = {**row, **changes}
        recent = self._sent_since(row["channel"], row["recipient"], now - timedelta(hours=1))
        if len(recent) >= rate_limit:
            report.deferred += 1
            return {**changes, "next_attempt_at": min(recent) + timedelta(hours=1, seconds=1)}
        sender = senders.get(row["channel"])
        try:
            if sender is None:
                raise RuntimeError(f"channel '{row['channel']}' is not configured")
            sender(row)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            attempts = row["attempts"] + 1
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning(
                "delivery %s to %s failed (attempt %s): %s",
                row["id"],
                row["channel"],
                attempts,
                error,
            )
            report.failures.append(Failure(row["id"], row["channel"], error))
            if attempts >= max_attempts:
                report.failed += 1
                return {**changes, "attempts": attempts, "last_error": error, "status": FAILED}
            report.retried += 1
            return {
                **changes,
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": naive_utc(now + backoff(attempts)),
            }
        report.sent += 1
        return {
            **changes,
            "attempts": row["attempts"] + 1,
            "status": SENT,
            "sent_at": naive_utc(now),
        }

    def _sent_since(self, channel: str, recipient: str, since: datetime) -> list[datetime]:
        c = deliveries.c
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(c.sent_at).where(
                        and_(
                            c.channel == channel,
                            c.recipient == recipient,
                            c.status == SENT,
                            c.sent_at > naive_utc(since),
                        )
                    )
                ).scalars()
            )


def _out(m: Any) -> dict[str, Any]:
    row = dict(m)
    for key in ("next_attempt_at", "created_at", "sent_at"):
        row[key] = aware(row[key])
    row["payload"] = json.loads(row["payload"]) if row["payload"] else None
    return row
