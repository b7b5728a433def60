"""One notification cycle: (evaluate,) plan, queue, and flush the outbox.

`run_cycle` is what `stip actions notify` runs and what a scheduler should call every few
minutes; running it twice in a row sends nothing new (dedupe keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.app import Stip
from stip.appdb import get_engine
from stip.notify import smtp, teams
from stip.notify.digest import plan
from stip.notify.meeting_mail import scheduled_agendas
from stip.notify.outbox import Outbox, Sender
from stip.notify.recipients import Recipients
from stip.notify.settings import load_notify_settings
from stip.semantic.business_hours import BusinessCalendar


@dataclass
class CycleReport:
    as_of: datetime
    planned: list[dict[str, Any]] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)
    channels: dict[str, bool] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "channels": self.channels,
            "planned": self.planned,
            "queued": self.queued,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "deferred": self.deferred,
            "errors": self.errors,
        }


def senders(stip: Stip) -> dict[str, Sender]:
    settings = stip.settings
    out: dict[str, Sender] = {}
    if settings.smtp.host:

        def send_email(row: dict[str, Any]) -> None:
            message = smtp.build(
                settings.smtp.sender,
                row["recipient"],
                row["subject"] or "",
                row["body_text"] or "",
                row["body_html"] or "",
                (row["payload"] or {}).get("attachments"),
            )
            smtp.send(settings.smtp, message)

        out["email"] = send_email
    if settings.teams_webhook_url is not None:
        url = settings.teams_webhook_url.get_secret_value()

        def send_teams(row: dict[str, Any]) -> None:
            teams.post(url, row["payload"])

        out["teams"] = send_teams
    return out


def outbox_for(stip: Stip) -> Outbox:
    stip.settings.home.mkdir(parents=True, exist_ok=True)
    return Outbox(get_engine(stip.settings.app_db_url))


def run_cycle(
    stip: Stip, now: datetime | None = None, *, dry_run: bool = False, evaluate_first: bool = True
) -> CycleReport:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    notify = load_notify_settings(stip.settings.home)
    tz = stip.settings.tz
    report = CycleReport(as_of=now)
    if evaluate_first:
        evaluate(stip, now, dry_run=dry_run)
    store = item_store(stip.settings)
    outbox = outbox_for(stip)
    channel_senders = senders(stip)
    report.channels = {"email": "email" in channel_senders, "teams": "teams" in channel_senders}
    items = store.items(now)
    recipients = Recipients(stip, notify)
    messages = plan(
        items,
        recipients.for_item,
        now,
        notify,
        tz,
        stip.settings.base_url,
        email=report.channels["email"],
        teams_enabled=report.channels["teams"],
        business_day=BusinessCalendar(stip.settings).is_business_day(now.astimezone(tz).date()),
    )
    if report.channels["email"]:
        messages += scheduled_agendas(stip, now, notify, outbox, recipients)
    already = outbox.queued_keys([m.dedupe_key for m in messages])
    for message in messages:
        if message.dedupe_key in already:
            continue
        report.planned.append(
            {
                "key": message.dedupe_key,
                "channel": message.channel,
                "kind": message.kind,
                "recipient": message.recipient,
                "subject": message.subject,
            }
        )
        if not dry_run and outbox.enqueue(message, now):
            report.queued += 1
    if dry_run:
        return report
    flushed = outbox.flush(now, channel_senders, notify.rate_limit_per_hour, notify.max_attempts)
    report.sent, report.retried = flushed.sent, flushed.retried
    report.failed, report.deferred = flushed.failed, flushed.deferred
    report.errors = list(flushed.errors or [])
    return report
