"""Every label the action center shows, in English and Dutch."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "action": ("Action", "Actie"),
    "urgent_action": ("Urgent action", "Dringende actie"),
    "person": ("Who", "Wie"),
    "due": ("Due", "Uiterlijk"),
    "todo": ("What to do", "Wat te doen"),
    "why": ("Why", "Waarom"),
    "open_in_stip": ("Open in Stip", "Openen in Stip"),
    "my_actions": ("My actions today", "Mijn acties vandaag"),
    "team_actions": ("Team actions", "Acties van het team"),
    "no_actions": ("Nothing to do. Well done.", "Niets te doen. Goed bezig."),
    "acknowledge": ("Acknowledge", "Gezien"),
    "acknowledged": ("Acknowledged", "Gezien"),
    "done": ("Done", "Klaar"),
    "snooze": ("Snooze", "Later"),
    "snooze_1d": ("Snooze 1 business day", "1 werkdag later"),
    "dismiss": ("Dismiss", "Afwijzen"),
    "reason": ("Reason", "Reden"),
    "reason_placeholder": ("Why no action is needed", "Waarom geen actie nodig is"),
    "overdue": ("overdue", "te laat"),
    "status": ("Status", "Status"),
    "status_open": ("open", "open"),
    "status_done": ("done", "klaar"),
    "status_snoozed": ("snoozed", "uitgesteld"),
    "status_dismissed": ("dismissed", "afgewezen"),
    "status_resolved": ("resolved", "opgelost"),
    "digest_subject": ("Stip: your actions for today ({n})", "Stip: je acties voor vandaag ({n})"),
    "digest_intro": (
        "Good morning {name}, this is what needs you today:",
        "Goedemorgen {name}, dit heeft vandaag jouw aandacht nodig:",
    ),
    "urgent_subject": ("Stip: urgent: {title}", "Stip: dringend: {title}"),
    "open_actions_link": ("Open my actions", "Open mijn acties"),
    "closed_loop": ("Closed loop", "Opvolging"),
    "callback_rate": (
        "Low ratings called back within 2 business days",
        "Lage scores binnen 2 werkdagen teruggebeld",
    ),
    "time_to_act": ("Median time to act (business h)", "Mediane reactietijd (werkuren)"),
    "open_per_person": ("Open items per person", "Open acties per persoon"),
    "deliveries": ("Deliveries", "Verzendingen"),
    "channel": ("Channel", "Kanaal"),
    "recipient": ("Recipient", "Ontvanger"),
    "attempts": ("Attempts", "Pogingen"),
    "next_attempt": ("Next attempt", "Volgende poging"),
    "last_error": ("Last error", "Laatste fout"),
    "subject": ("Subject", "Onderwerp"),
    "retry": ("Retry", "Opnieuw"),
    "meeting_title": ("Team meeting {team}, week of {week}", "Teamoverleg {team}, week van {week}"),
    "meeting_link": ("Weekly team meeting", "Wekelijks teamoverleg"),
    "exceptions": ("This week's exceptions", "Uitzonderingen van deze week"),
    "what_was_done": ("What was done", "Wat is er gedaan"),
    "trends": ("Trends", "Trends"),
    "clarity": ("What we stand for", "Waar we voor staan"),
    "engineers": ("Per engineer: the basics", "Per engineer: de basis"),
    "engineer": ("Engineer", "Engineer"),
    "reliability": ("Reliability", "Betrouwbaarheid"),
    "customer_focus": ("Customer focus", "Klantgerichtheid"),
    "communication": ("Communication", "Communicatie"),
    "sla_met": ("SLA met %", "SLA gehaald %"),
    "overdue_now": ("Overdue now", "Nu te laat"),
    "csat": ("CSAT %", "CSAT %"),
    "callbacks": ("Call-backs done", "Teruggebeld"),
    "stale_tickets": ("Tickets without update (3 days)", "Tickets zonder update (3 dagen)"),
    "updates_per_ticket": ("Customer updates per open ticket", "Klantupdates per open ticket"),
    "this_week": ("This week", "Deze week"),
    "last_week": ("Previous week", "Vorige week"),
    "tickets_created": ("Tickets created", "Tickets aangemaakt"),
    "tickets_completed": ("Tickets completed", "Tickets afgerond"),
    "low_ratings": ("Low ratings", "Lage scores"),
    "items_created": ("Action items raised", "Acties aangemaakt"),
    "items_done": ("Action items done", "Acties afgerond"),
    "download_pdf": ("Download PDF", "PDF downloaden"),
    "none": ("None.", "Geen."),
    "rule": ("Rule", "Regel"),
}


def label(key: str, lang: str, **values: object) -> str:
    en, nl = LABELS[key]
    text = nl if lang == "nl" else en
    return text.format(**values) if values else text


def labels(lang: str) -> dict[str, str]:
    """All labels of one language, for templates."""
    return {key: (nl if lang == "nl" else en) for key, (en, nl) in LABELS.items()}
