"""Digest over real SMTP, Adaptive Card to a real HTTP receiver, retries when receivers are down."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

from stip.accounts.users import add_user, engine_for, set_language
from stip.app import Stip
from stip.notify.cycle import outbox_for, run_cycle

SCHEMA = json.loads(Path(__file__).with_name("adaptive-card-1.5.schema.json").read_text())


def _configure(
    monkeypatch: pytest.MonkeyPatch, world: Stip, smtp_port: int, teams_url: str
) -> Stip:
    monkeypatch.setenv("STIP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STIP_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("STIP_SMTP_SENDER", "stip@msp.example")
    monkeypatch.setenv("STIP_TEAMS_WEBHOOK_URL", teams_url)
    monkeypatch.setenv("STIP_BASE_URL", "http://stip.msp.example")
    (world.settings.home / "notify.toml").write_text('default_language = "en"\n')
    stip = Stip.load()
    eva = add_user(engine_for(stip.settings), "eva", "engineer", "eva-password", resource_id=1)
    set_language(engine_for(stip.settings), eva.id, "nl")
    return stip


def _texts(message: object) -> tuple[str, str]:
    plain = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    html = message.get_body(("html",)).get_content()  # type: ignore[attr-defined]
    return plain, html


def test_digest_in_recipient_language_and_card_to_teams(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    now = W.local(stip, "2026-04-28T10:30")
    report = run_cycle(stip, now)
    assert report.errors == [] and report.failed == 0
    received = {(rcpt[0], msg["Subject"]): msg for rcpt, msg in smtp_server.handler.messages}
    assert set(received) == {
        ("eva@msp.example", "Stip: dringend: Bel Piet Jansen (Bakkerij Jansen) terug"),
        ("eva@msp.example", "Stip: je acties voor vandaag (2)"),
        ("bram@msp.example", "Stip: your actions for today (1)"),
        ("anna@msp.example", "Stip: your actions for today (2)"),
    }
    plain, html = _texts(received[("eva@msp.example", "Stip: je acties voor vandaag (2)")])
    assert plain.startswith("Goedemorgen Eva de Vries, dit heeft vandaag jouw aandacht nodig:")
    assert "Piet Jansen van Bakkerij Jansen gaf ticket T20260420.0001" in plain
    assert 'Ticket T20260421.0002 "Mail <b>bounce</b>"' in plain
    assert "Mail &lt;b&gt;bounce&lt;/b&gt;" in html and "<b>bounce" not in html
    assert "Uiterlijk: 2026-04-28 15:00" in plain
    assert "http://stip.msp.example/actions/me" in html
    bram_plain, _ = _texts(received[("bram@msp.example", "Stip: your actions for today (1)")])
    assert "Bram Bakker has booked 5 of 8 hours for 2026-04-24." in bram_plain

    assert len(teams_receiver.bodies) == 1
    body = teams_receiver.bodies[0]
    jsonschema.validate(body, SCHEMA, format_checker=jsonschema.FormatChecker())
    card = body["attachments"][0]["content"]
    assert card["version"] == "1.5"
    assert card["body"][1]["text"] == "Bel Piet Jansen (Bakkerij Jansen) terug"
    from stip.actions.items import item_store

    (callback,) = item_store(stip.settings).items(now, rule_prefix="csat_low_callback")
    assert card["actions"][0]["url"] == f"http://stip.msp.example/actions/me#item-{callback.id}"

    again = run_cycle(stip, now + dt.timedelta(minutes=5))
    assert (again.queued, again.sent) == (0, 0)
    assert len(smtp_server.handler.messages) == 4 and len(teams_receiver.bodies) == 1


def test_receivers_down_are_retried_and_reported_nothing_lost(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    smtp_server.stop()
    teams_receiver.stop()
    now = W.local(stip, "2026-04-28T10:30")
    report = run_cycle(stip, now)
    assert (report.queued, report.sent, report.retried, report.failed) == (5, 0, 5, 0)
    assert any("(teams)" in e for e in report.errors)
    assert any("(email)" in e for e in report.errors)
    rows = outbox_for(stip).rows()
    assert {r["status"] for r in rows} == {"pending"}
    assert all(r["attempts"] == 1 and r["last_error"] for r in rows)
    assert all(r["next_attempt_at"] == now + dt.timedelta(minutes=1) for r in rows)

    # too early for the retry: nothing is attempted
    early = run_cycle(stip, now + dt.timedelta(seconds=30))
    assert (early.sent, early.retried) == (0, 0)

    smtp_server.start()
    teams_receiver.start()
    later = run_cycle(stip, now + dt.timedelta(minutes=2))
    assert (later.sent, later.retried, later.failed) == (5, 0, 0)
    assert len(smtp_server.handler.messages) == 4 and len(teams_receiver.bodies) == 1
    assert {r["status"] for r in outbox_for(stip).rows()} == {"sent"}


def test_a_delivery_that_keeps_failing_is_marked_failed_and_can_be_retried(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    (stip.settings.home / "notify.toml").write_text('default_language = "en"\nmax_attempts = 2\n')
    teams_receiver.status = 500
    now = W.local(stip, "2026-04-28T10:30")
    run_cycle(stip, now)
    second = run_cycle(stip, now + dt.timedelta(minutes=2))
    assert second.failed == 1
    outbox = outbox_for(stip)
    (failed,) = outbox.rows(status="failed")
    assert failed["channel"] == "teams" and failed["attempts"] == 2
    assert "HTTP 500" in failed["last_error"]
    teams_receiver.status = 202
    outbox.retry(failed["id"], now + dt.timedelta(minutes=3))
    third = run_cycle(stip, now + dt.timedelta(minutes=3))
    assert third.sent == 1 and outbox.rows(status="failed") == []


def test_quiet_hours_defer_urgent_messages_and_rate_limit_defers_excess(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    (stip.settings.home / "notify.toml").write_text(
        'default_language = "en"\nrate_limit_per_hour = 1\n'
    )
    # Friday 20:00 local: quiet; the low rating arrived at 15:00
    evening = W.local(stip, "2026-04-24T20:00")
    report = run_cycle(stip, evening)
    assert report.sent == 0 and report.queued == 2
    monday = W.local(stip, "2026-04-27T07:00")  # weekend is quiet too; King's Day 07:00 is not
    rows = outbox_for(stip).rows()
    assert {r["next_attempt_at"] for r in rows} == {monday}
    # Tuesday 10:30 the digest is due too, but Eva may get one e-mail per hour
    tuesday = W.local(stip, "2026-04-28T10:30")
    run_cycle(stip, tuesday)
    eva_mails = [m for rcpt, m in smtp_server.handler.messages if rcpt == ["eva@msp.example"]]
    assert len(eva_mails) == 1
    deferred = [r for r in outbox_for(stip).rows(status="pending") if r["person"] == "Eva de Vries"]
    assert len(deferred) == 1
    run_cycle(stip, tuesday + dt.timedelta(hours=1, minutes=1))
    eva_mails = [m for rcpt, m in smtp_server.handler.messages if rcpt == ["eva@msp.example"]]
    assert len(eva_mails) == 2


def test_meeting_agenda_mailed_on_demand_and_on_schedule_once_a_week(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stip.notify import meeting_mail

    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    (stip.settings.home / "notify.toml").write_text(
        'default_language = "nl"\nmeeting_weekday = 0\nmeeting_time = "08:00"\n'
    )
    monday = W.local(stip, "2026-05-04T08:05")
    built: list[dict[str, object]] = []
    real = meeting_mail.build_agenda

    def spy(*args: object, **kwargs: object) -> object:
        built.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(meeting_mail, "build_agenda", spy)
    outcome = meeting_mail.mail_agenda(stip, W.TEAM, monday)
    assert outcome == "agenda of team 10 for lars@msp.example: queued; 1 sent, 0 to retry"
    assert built == [{"money": False}]  # the team lead's copy leaves client money out
    ((rcpt, message),) = smtp_server.handler.messages
    assert rcpt == ["lars@msp.example"]
    assert message["Subject"] == "Teamoverleg Servicedesk, week van 2026-04-27"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "agenda-10-2026-04-27.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    # the scheduled cycle that Monday finds this week's agenda already sent
    run_cycle(stip, monday + dt.timedelta(minutes=10))
    assert sum(1 for _, m in smtp_server.handler.messages if m["Subject"].startswith("Team")) == 1
    # the next Monday's cycle mails the new week's agenda by itself
    next_monday = W.local(stip, "2026-05-11T08:01")
    early = run_cycle(stip, next_monday - dt.timedelta(minutes=2))
    assert [p for p in early.planned if p["kind"] == "meeting"] == []
    run_cycle(stip, next_monday)
    subjects = [m["Subject"] for _, m in smtp_server.handler.messages]
    assert "Teamoverleg Servicedesk, week van 2026-05-04" in subjects


def test_messages_whose_items_closed_meanwhile_are_cancelled_and_digests_shrink(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stip.actions.items import item_store

    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    smtp_server.stop()
    teams_receiver.stop()
    now = W.local(stip, "2026-04-28T10:30")
    assert run_cycle(stip, now).queued == 5
    store = item_store(stip.settings)
    (callback,) = store.items(now, rule_prefix="csat_low_callback")
    (overdue,) = store.items(now, rule_prefix="overdue_ticket")
    (booking,) = store.items(now, rule_prefix="late_time_booking")
    store.done(callback.id, at=now + dt.timedelta(minutes=1), actor="eva")
    store.dismiss(booking.id, "was ill", at=now + dt.timedelta(minutes=1), actor="bram")

    smtp_server.start()
    teams_receiver.start()
    later = run_cycle(stip, now + dt.timedelta(minutes=2))
    assert teams_receiver.bodies == []
    received = {rcpt[0]: msg for rcpt, msg in smtp_server.handler.messages}
    assert set(received) == {"eva@msp.example", "anna@msp.example"}
    assert (later.sent, later.cancelled, later.retried, later.failed) == (2, 3, 0, 0)
    assert received["eva@msp.example"]["Subject"] == "Stip: je acties voor vandaag (1)"
    plain, _ = _texts(received["eva@msp.example"])
    assert "T20260421.0002" in plain and "Piet Jansen" not in plain
    # nothing is deleted: the cancelled rows stay, with the reason
    rows = {(r["kind"], r["channel"], r["person"]): r for r in outbox_for(stip).rows()}
    assert len(rows) == 5
    gone = f"not needed any more: item #{callback.id} is done"
    assert rows[("immediate", "email", "Eva de Vries")]["status"] == "cancelled"
    assert rows[("immediate", "email", "Eva de Vries")]["last_error"] == gone
    assert rows[("immediate", "teams", "Eva de Vries")]["last_error"] == gone
    assert rows[("digest", "email", "Bram Bakker")]["status"] == "cancelled"
    assert rows[("digest", "email", "Bram Bakker")]["last_error"] == (
        f"not needed any more: item #{booking.id} is dismissed"
    )
    eva_digest = rows[("digest", "email", "Eva de Vries")]
    assert (eva_digest["status"], eva_digest["item_ids"]) == ("sent", str(overdue.id))
    assert eva_digest["subject"] == "Stip: je acties voor vandaag (1)"


def test_an_sla_warning_is_not_sent_once_its_milestone_has_passed(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stip.store.schema import Batch

    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    batch = Batch()
    # first response due Tuesday 11:15 local, within 2 business hours of 10:30
    batch.add(
        "tickets",
        [
            {
                "source_system": "autotask",
                "id": 1002,
                "ticket_number": "T20260428.0003",
                "title": "VPN down",
                "company_id": W.COMPANY,
                "contact_id": 500,
                "assigned_resource_id": W.EVA,
                "create_date": W.utc(2026, 4, 28, 6, 0),
                "first_response_due_date_time": W.utc(2026, 4, 28, 9, 15),
            }
        ],
    )
    stip.store.apply(batch)
    smtp_server.stop()
    teams_receiver.stop()
    now = W.local(stip, "2026-04-28T10:30")
    queued = run_cycle(stip, now)
    assert {p["subject"] for p in queued.planned if p["channel"] == "teams"} == {
        "SLA eerste reactie bijna verlopen op T20260428.0003",
        "Bel Piet Jansen (Bakkerij Jansen) terug",
    }

    # the receivers come back after the milestone; no evaluation closed the item yet
    smtp_server.start()
    teams_receiver.start()
    late = run_cycle(stip, W.local(stip, "2026-04-28T11:20"), evaluate_first=False)
    subjects = [m["Subject"] for _, m in smtp_server.handler.messages]
    assert not any("SLA" in s for s in subjects)
    assert "Stip: je acties voor vandaag (2)" in subjects
    assert [b["attachments"][0]["content"]["body"][1]["text"] for b in teams_receiver.bodies] == [
        "Bel Piet Jansen (Bakkerij Jansen) terug"
    ]
    assert late.cancelled == 2 and late.failed == 0
    cancelled = outbox_for(stip).rows(status="cancelled")
    assert {r["channel"] for r in cancelled} == {"email", "teams"}
    assert all("is past its SLA milestone (2026-04-28 11:15)" in r["last_error"] for r in cancelled)


def test_a_recipients_override_may_use_the_linked_user_name(
    world: Stip, W: ModuleType, smtp_server, teams_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stip.actions.evaluate import evaluate
    from stip.actions.meeting import build_agenda
    from stip.notify.meeting_mail import agenda_message
    from stip.notify.recipients import Recipients
    from stip.notify.settings import load_notify_settings

    stip = _configure(monkeypatch, world, smtp_server.port, teams_receiver.url)
    add_user(engine_for(stip.settings), "lars", "teamlead", "lars-password", resource_id=W.LARS)
    (stip.settings.home / "notify.toml").write_text(
        'default_language = "en"\n'
        '[recipients.eva]\nemail = "eva-private@msp.example"\n'
        '[recipients.lars]\nemail = "lead@msp.example"\nlanguage = "nl"\n'
    )
    now = W.local(stip, "2026-04-28T10:30")
    evaluate(stip, now)
    report = run_cycle(stip, now, dry_run=True)
    eva = {p["recipient"] for p in report.planned if p["channel"] == "email"} - {
        "bram@msp.example",
        "anna@msp.example",
    }
    assert eva == {"eva-private@msp.example"}
    notify = load_notify_settings(stip.settings.home)
    agenda = build_agenda(stip, W.TEAM, now)
    message = agenda_message(stip, agenda, now, notify, Recipients(stip, notify))
    assert (message.recipient, message.language) == ("lead@msp.example", "nl")
