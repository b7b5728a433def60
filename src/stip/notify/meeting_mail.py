"""Mail the weekly meeting agenda (PDF attached) to the team lead, through the outbox."""

from __future__ import annotations

import base64
from datetime import datetime

from stip.actions.labels import label
from stip.actions.meeting import Agenda
from stip.actions.meeting_pdf import agenda_pdf
from stip.app import Stip
from stip.errors import UserError
from stip.notify.cycle import outbox_for, senders
from stip.notify.outbox import Message
from stip.notify.recipients import Recipients
from stip.notify.settings import load_notify_settings


def mail_agenda(stip: Stip, agenda: Agenda, now: datetime) -> str:
    """Queue and send the agenda to the team lead; returns a one-line outcome."""
    if not stip.settings.smtp.host:
        raise UserError("cannot mail the agenda: SMTP is not configured (STIP_SMTP_HOST)")
    if agenda.lead_resource_id is None:
        raise UserError(f"team {agenda.team_id} has no team lead to mail the agenda to")
    notify = load_notify_settings(stip.settings.home)
    recipients = Recipients(stip, notify)
    email = recipients.emails.get(agenda.lead_resource_id)
    override = notify.recipients.get(agenda.lead or "")
    if override and override.email:
        email = override.email
    if not email:
        raise UserError(f"team lead {agenda.lead} has no e-mail address; add one in notify.toml")
    lang = (
        recipients.lang_by_resource.get(agenda.lead_resource_id)
        or (override.language if override else None)
        or notify.default_language
    )
    week = agenda.start.date().isoformat()
    message = Message(
        dedupe_key=f"meeting:{agenda.team_id}:{week}",
        channel="email",
        kind="meeting",
        recipient=email,
        person=agenda.lead,
        language=lang,
        subject=agenda.title(lang),
        body_text=agenda.as_text(lang),
        payload={
            "attachments": [
                {
                    "filename": f"agenda-{agenda.team_id}-{week}.pdf",
                    "content_type": "application/pdf",
                    "data_b64": base64.b64encode(agenda_pdf(agenda, lang)).decode("ascii"),
                }
            ]
        },
    )
    outbox = outbox_for(stip)
    queued = outbox.enqueue(message, now)
    report = outbox.flush(now, senders(stip), notify.rate_limit_per_hour, notify.max_attempts)
    state = "queued and " if queued else "already queued; "
    return (
        f"{state}{report.sent} sent, {report.retried} to retry "
        f"({label('meeting_title', lang, team=agenda.team, week=week)} to {email})"
    )
