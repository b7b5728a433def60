"""Mail the weekly meeting agenda (PDF attached) to the team lead, through the outbox.

One agenda per team and ISO week (dedupe key `meeting:{team}:{year}-W{week}`): on demand with
`stip actions meeting --team ID --mail`, and on the schedule of `notify.toml`
(`meeting_weekday`, `meeting_time`) from every notification cycle.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime

from stip.actions.meeting import Agenda, build_agenda
from stip.actions.meeting_pdf import agenda_pdf
from stip.actions.people import load_directory
from stip.app import Stip
from stip.errors import UserError
from stip.notify.outbox import Message, Outbox
from stip.notify.recipients import Recipients
from stip.notify.settings import NotifySettings, load_notify_settings

log = logging.getLogger("stip.notify")


def meeting_key(team_id: int, now: datetime, stip: Stip) -> str:
    year, week, _ = now.astimezone(stip.settings.tz).isocalendar()
    return f"meeting:{team_id}:{year}-W{week:02d}"


def agenda_message(
    stip: Stip, agenda: Agenda, now: datetime, notify: NotifySettings, recipients: Recipients
) -> Message:
    if agenda.lead_resource_id is None:
        raise UserError(f"team {agenda.team_id} has no team lead to mail the agenda to")
    override = recipients.override(agenda.lead or "", agenda.lead_resource_id)
    email = (override.email if override else None) or recipients.emails.get(agenda.lead_resource_id)
    if not email:
        raise UserError(f"team lead {agenda.lead} has no e-mail address; add one in notify.toml")
    lang = (
        recipients.lang_by_resource.get(agenda.lead_resource_id)
        or (override.language if override else None)
        or notify.default_language
    )
    week = agenda.start.date().isoformat()
    return Message(
        dedupe_key=meeting_key(agenda.team_id, now, stip),
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


def mail_agenda(stip: Stip, team_id: int, now: datetime) -> str:
    """Queue the team's agenda for its lead and send what is due; a one-line outcome. Like the
    scheduled mail, it leaves out items that show client money: a team lead may not see it."""
    from stip.notify.cycle import flush, outbox_for

    if not stip.settings.smtp.host:
        raise UserError("cannot mail the agenda: SMTP is not configured (STIP_SMTP_HOST)")
    agenda = build_agenda(stip, team_id, now, money=False)
    notify = load_notify_settings(stip.settings.home)
    message = agenda_message(stip, agenda, now, notify, Recipients(stip, notify))
    outbox = outbox_for(stip)
    queued = outbox.enqueue(message, now)
    report = flush(stip, outbox, now, notify)
    state = "queued" if queued else "already queued this week"
    return (
        f"agenda of team {agenda.team_id} for {message.recipient}: {state}; "
        f"{report.sent} sent, {report.retried} to retry"
    )


def scheduled_agendas(
    stip: Stip, now: datetime, notify: NotifySettings, outbox: Outbox, recipients: Recipients
) -> list[Message]:
    """The agendas due at `now` by the schedule and not queued yet this week."""
    local = now.astimezone(stip.settings.tz)
    if local.weekday() != notify.meeting_weekday or local.time() < notify.clock("meeting_time"):
        return []
    with stip.store.read() as con:
        directory = load_directory(con, {})
    teams = sorted(t for t in directory.team_names if directory.leads.get(t) is not None)
    pending = [
        t
        for t in teams
        if meeting_key(t, now, stip) not in outbox.queued_keys([meeting_key(t, now, stip)])
    ]
    messages = []
    for team_id in pending:
        # a lead's role may not see client money: the mailed agenda leaves it out
        agenda = build_agenda(stip, team_id, now, money=False)
        try:
            messages.append(agenda_message(stip, agenda, now, notify, recipients))
        except UserError as exc:
            log.warning("weekly agenda of team %s not mailed: %s", team_id, exc)
    return messages
