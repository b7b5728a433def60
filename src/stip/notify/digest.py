"""What to send now: the morning digest per person, and immediate messages for urgent items.

Planning only builds `Message`s with stable dedupe keys; the outbox makes queueing
idempotent and does the sending. A message can wait in the outbox (quiet hours, rate limit,
retries), so `review` checks its items again when it is about to go out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from stip.actions.items import Item, ItemStore
from stip.actions.labels import label, labels
from stip.notify import teams
from stip.notify.outbox import Message, Review, Revision
from stip.notify.quiet import is_quiet, quiet_over
from stip.notify.recipients import Recipient
from stip.notify.settings import NotifySettings

TEMPLATES = Path(str(resources.files("stip") / "web" / "templates" / "actions" / "email"))
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    trim_blocks=True,
    lstrip_blocks=True,
)
IMMEDIATE_WINDOW = timedelta(days=2)


def _item_view(item: Item, lang: str, tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        "title": item.title.get(lang) or item.title["en"],
        "why": item.why.get(lang) or item.why["en"],
        "todo": item.todo.get(lang) or item.todo["en"],
        "due": item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "overdue": item.due_at < now,
        "urgent": item.urgent,
    }


def render_email(
    items: list[Item],
    recipient: Recipient,
    intro: str,
    subject: str,
    link: str,
    tz: ZoneInfo,
    now: datetime,
) -> tuple[str, str]:
    """(plain text, HTML) bodies in the recipient's language."""
    lang = recipient.language
    context = {
        "lang": lang,
        "subject": subject,
        "intro": intro,
        "link": link,
        "L": labels(lang),
        "items": [_item_view(item, lang, tz, now) for item in items],
    }
    text = _env.get_template("digest.txt").render(context)
    html = _env.get_template("digest.html").render(context)
    return text, html


def render_digest(
    items: list[Item], recipient: Recipient, link: str, tz: ZoneInfo, now: datetime
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a person's morning digest."""
    lang = recipient.language
    subject = label("digest_subject", lang, n=len(items))
    intro = label("digest_intro", lang, name=recipient.person)
    text, html = render_email(items, recipient, intro, subject, link, tz, now)
    return subject, text, html


def plan(
    items: list[Item],
    recipient_of: Any,
    now: datetime,
    notify: NotifySettings,
    tz: ZoneInfo,
    base_url: str,
    *,
    email: bool,
    teams_enabled: bool,
    business_day: bool,
) -> list[Message]:
    """Messages due at `now` for the open items (`recipient_of(item) -> Recipient`)."""
    local = now.astimezone(tz)
    link = base_url.rstrip("/") + "/actions/me"
    messages: list[Message] = []
    quiet = is_quiet(local, notify)
    not_before = quiet_over(local, notify) if quiet else None
    by_person: dict[str, tuple[Recipient, list[Item]]] = {}
    for item in items:
        recipient = recipient_of(item)
        by_person.setdefault(recipient.person, (recipient, []))[1].append(item)
        if not item.urgent or item.acknowledged_at or now - item.created_at > IMMEDIATE_WINDOW:
            continue
        lang = recipient.language
        title = item.title.get(lang) or item.title["en"]
        if email and recipient.email:
            subject = label("urgent_subject", lang, title=title)
            text, html = render_email(
                [item], recipient, label("urgent_action", lang), subject, link, tz, now
            )
            messages.append(
                Message(
                    f"immediate:email:{item.id}",
                    "email",
                    "immediate",
                    recipient.email,
                    recipient.person,
                    lang,
                    subject,
                    text,
                    html,
                    None,
                    (item.id,),
                    not_before,
                )
            )
        if teams_enabled:
            due = item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            card = teams.item_card(item, lang, due, f"{link}#item-{item.id}")
            messages.append(
                Message(
                    f"immediate:teams:{item.id}",
                    "teams",
                    "immediate",
                    f"teams:{recipient.person}",
                    recipient.person,
                    lang,
                    title,
                    payload=teams.envelope(card),
                    item_ids=(item.id,),
                    not_before=not_before,
                )
            )
    digest_due = business_day and not quiet and local.time() >= notify.clock("digest_time")
    if email and digest_due:
        day = local.date().isoformat()
        for person, (recipient, person_items) in sorted(by_person.items()):
            if not recipient.email:
                continue
            subject, text, html = render_digest(person_items, recipient, link, tz, now)
            messages.append(
                Message(
                    f"digest:{person}:{day}",
                    "email",
                    "digest",
                    recipient.email,
                    person,
                    recipient.language,
                    subject,
                    text,
                    html,
                    None,
                    tuple(i.id for i in person_items),
                )
            )
    return messages


def not_needed(item: Item | None, now: datetime, tz: ZoneInfo, *, urgent: bool) -> str | None:
    """Why a message about `item` is no longer worth sending at `now` (None: it still is).

    An urgent message is moot once the item was acknowledged; an SLA warning once its
    milestone has passed (`sla_due` is the milestone as the evaluation formats it, local).
    """
    if item is None:
        return "no longer exists"
    if not item.is_open_at(now):
        return f"is {item.status}"
    if urgent and item.acknowledged_at is not None:
        return "was acknowledged"
    sla_due = item.facts.get("sla_due")
    if sla_due and datetime.strptime(sla_due, "%Y-%m-%d %H:%M").replace(tzinfo=tz) <= now:
        return f"is past its SLA milestone ({sla_due})"
    return None


def review(store: ItemStore, tz: ZoneInfo, base_url: str) -> Review:
    """The outbox's check at send time: a message whose items are all closed is cancelled,
    and a digest is rendered again with only the items still open."""
    link = base_url.rstrip("/") + "/actions/me"

    def check(row: dict[str, Any], now: datetime) -> Revision:
        ids = [int(i) for i in (row["item_ids"] or "").split(",") if i]
        if not ids:
            return Revision()
        current = store.by_ids(ids)
        urgent = row["kind"] == "immediate"
        reasons = {i: not_needed(current.get(i), now, tz, urgent=urgent) for i in ids}
        still = [current[i] for i in ids if reasons[i] is None]
        if not still:
            return Revision(
                cancel="not needed any more: "
                + ", ".join(f"item #{i} {reason}" for i, reason in reasons.items())
            )
        if row["kind"] != "digest":
            return Revision()
        recipient = Recipient(row["person"], row["recipient"], row["language"])
        subject, text, html = render_digest(still, recipient, link, tz, now)
        return Revision(
            changes={
                "subject": subject,
                "body_text": text,
                "body_html": html,
                "item_ids": ",".join(str(item.id) for item in still),
            }
        )

    return check
