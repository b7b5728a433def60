"""One notification cycle: (evaluate,) plan, queue, and flush the outbox.

`run_cycle` is what `stip actions notify` runs and what a scheduler should call every few
minutes; running it twice in a row sends nothing new (dedupe keys).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.app import Stip
from stip.appdb import get_engine
from stip.notify import smtp, teams
from stip.notify.digest import plan, review
from stip.notify.meeting_mail import scheduled_agendas
from stip.notify.outbox import Failure, FlushReport, Outbox, Sender
from stip.notify.recipients import Recipients
from stip.notify.settings import NotifySettings, load_notify_settings
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
    cancelled: int = 0
    channels: dict[str, bool] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    # where each channel sends to (host:port, never a path or secret), for the failure line
    targets: dict[str, str] = field(default_factory=dict)
    # open items per person without an e-mail address (when e-mail is configured)
    no_address: dict[str, int] = field(default_factory=dict)

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
            "cancelled": self.cancelled,
            "errors": self.errors,
            "no_address": self.no_address,
        }

    @property
    def errors(self) -> list[str]:
        return [str(failure) for failure in self.failures]

    def failure_line(self) -> str | None:
        """One line for all failed deliveries of this cycle: how many, per channel the most
        common cause and the host, and what happens next; None when nothing failed."""
        if not self.failures:
            return None
        attempted = self.sent + self.retried + self.failed
        causes = []
        for channel in sorted({f.channel for f in self.failures}):
            errors = Counter(f.error for f in self.failures if f.channel == channel)
            error = errors.most_common(1)[0][0]
            cause = error if len(error) <= 120 else error[:119] + "…"
            target = f" to {self.targets[channel]}" if channel in self.targets else ""
            causes.append(f"{channel}{target}: {cause}")
        outcomes = []
        if self.retried:
            outcomes.append(f"{self.retried} will be retried on the next run")
        if self.failed:
            outcomes.append(
                f"{self.failed} gave up after max_attempts (retry them on /admin/deliveries)"
            )
        return (
            f"{len(self.failures)} of {attempted} deliveries failed ({'; '.join(causes)}); "
            + ", ".join(outcomes)
        )

    def no_address_line(self) -> str | None:
        """One line naming the people whose items reach nobody by e-mail."""
        if not self.no_address:
            return None
        total = sum(self.no_address.values())
        items = "1 item" if total == 1 else f"{total} items"
        if len(self.no_address) == 1:
            ((person, _),) = self.no_address.items()
            return (
                f"{items} for {person} {'has' if total == 1 else 'have'} no e-mail address; "
                f'add [recipients."{person}"] with an email to notify.toml'
            )
        people = ", ".join(f"{p} ({n})" for p, n in sorted(self.no_address.items()))
        return (
            f"{items} for {people} have no e-mail address; add "
            '[recipients."<name>"] with an email to notify.toml for each of them'
        )


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


def targets(stip: Stip) -> dict[str, str]:
    """Each configured channel's host (and port): enough to find the fault, no secret (the
    Teams URL's path and query hold its signature)."""
    settings = stip.settings
    out: dict[str, str] = {}
    if settings.smtp.host:
        out["email"] = f"{settings.smtp.host}:{settings.smtp.port}"
    if settings.teams_webhook_url is not None:
        parts = urlsplit(settings.teams_webhook_url.get_secret_value())
        out["teams"] = f"{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return out


def outbox_for(stip: Stip) -> Outbox:
    stip.settings.home.mkdir(parents=True, exist_ok=True)
    return Outbox(get_engine(stip.settings.app_db_url))


def flush(stip: Stip, outbox: Outbox, now: datetime, notify: NotifySettings) -> FlushReport:
    """Send what is due, each message checked against its items' state at sending time."""
    check = review(item_store(stip.settings), stip.settings.tz, stip.settings.base_url)
    return outbox.flush(
        now, senders(stip), notify.rate_limit_per_hour, notify.max_attempts, review=check
    )


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
    report.targets = targets(stip)
    report.channels = {"email": "email" in report.targets, "teams": "teams" in report.targets}
    items = store.items(now)
    recipients = Recipients(stip, notify)
    if report.channels["email"]:
        report.no_address = dict(
            Counter(r.person for r in map(recipients.for_item, items) if not r.email)
        )
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
    flushed = flush(stip, outbox, now, notify)
    report.sent, report.retried = flushed.sent, flushed.retried
    report.failed, report.deferred = flushed.failed, flushed.deferred
    report.cancelled, report.failures = flushed.cancelled, flushed.failures
    return report
