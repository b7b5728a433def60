"""`stip actions` commands: evaluate, list, notify, done/snooze/dismiss, meeting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stip.cli.options import AsOfOption, DbOption, JsonOption, LangOption, check_lang, load
from stip.errors import UserError

if TYPE_CHECKING:
    from stip.actions.items import Item
    from stip.app import Stip

actions_app = typer.Typer(
    help="Action items: who must do what, by when, and why.", no_args_is_help=True
)

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change or be sent; change nothing.")
]


def _as_of(text: str | None, tz: object) -> datetime:
    from stip.semantic.periods import parse_as_of

    return parse_as_of(text, tz)  # type: ignore[arg-type]


@actions_app.command("evaluate")
def evaluate_command(
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Evaluate the action rules and update the action items."""
    from stip.actions.evaluate import evaluate

    stip = load(db, existing=True)
    when = _as_of(as_of, stip.settings.tz)
    result = evaluate(stip, when, dry_run=dry_run)
    if result.rewound_from is not None:
        typer.echo(_rewound_note(result.rewound_from), err=True)
    if json_out:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    prefix = "would be: " if dry_run or result.rewound_from else ""
    typer.echo(
        f"{prefix}{result.created} created, {result.updated} updated, {result.reopened} "
        f"reopened, {result.resolved} auto-resolved, {result.escalated} escalated; "
        f"{result.open_items} open ({result.seconds:.2f} s)"
    )


@actions_app.command("list")
def list_command(
    as_of: AsOfOption = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Only this person's items.")
    ] = None,
    json_out: JsonOption = False,
    lang: LangOption = "en",
    no_evaluate: Annotated[
        bool, typer.Option("--no-evaluate", help="List stored items without evaluating first.")
    ] = False,
    db: DbOption = None,
) -> None:
    """The open action items (evaluates the rules first, so the list is current)."""
    from stip.actions.evaluate import evaluate
    from stip.actions.export import list_json
    from stip.actions.items import item_store

    check_lang(lang)
    stip = load(db, existing=True)
    when = _as_of(as_of, stip.settings.tz)
    store = item_store(stip.settings)
    items: list[Item] = []
    if no_evaluate:
        items = store.items(when)
    else:
        # read inside the evaluation's transaction: at an as-of before the latest evaluation
        # that transaction is rolled back, so looking back lists without changing anything
        evaluate(stip, when, then=lambda conn: items.extend(store.items(when, conn=conn)))
    if person is not None:
        items = [i for i in items if matches_person(i, person, stip)]
        if not items:
            check_person(person, stip)
    if json_out:
        typer.echo(json.dumps(list_json(items, when, stip.settings.tz, lang), ensure_ascii=False))
        return
    if not items:
        typer.echo("geen openstaande actiepunten" if lang == "nl" else "no open action items")
        return
    for item in items:
        due = item.due_at.astimezone(stip.settings.tz).strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"#{item.id:<6} {due}  {item.person or '-':<24} {item.rule:<28} "
            f"{item.why.get(lang) or item.why['en']}"
        )


def matches_person(item: Item, name: str, stip: Stip) -> bool:
    """The person's display name (any case), or the user name of a linked account."""
    if (item.person or "").casefold() == name.strip().casefold():
        return True
    from stip.accounts.users import engine_for, get_user

    user = get_user(engine_for(stip.settings), name)
    if user is None:
        return False
    if user.resource_id is not None:
        return item.person_id == user.resource_id
    return item.person_id is None and item.person == user.username


def check_person(name: str, stip: Stip) -> None:
    """A user error for a name that is no resource, Stip user or role: a typo must not read
    as "nothing to do"."""
    from stip.accounts.roles import ROLES
    from stip.accounts.users import engine_for, get_user

    wanted = name.strip().casefold()
    if wanted in ROLES or get_user(engine_for(stip.settings), name) is not None:
        return
    with stip.store.read() as con:
        people = con.table("resources").select("first_name", "last_name").to_pyarrow()
    names = {
        " ".join(p for p in (row["first_name"], row["last_name"]) if p).casefold()
        for row in people.to_pylist()
    }
    if wanted not in names:
        raise UserError(
            f"--person '{name}': no resource, Stip user or role has that name; use a name as "
            "`stip actions list` shows it (e.g. 'Pieter de Wit') or a user name from "
            "`stip user list`"
        )


def _rewound_note(applied: datetime) -> str:
    return (
        f"note: --as-of is before the latest evaluation ({applied.isoformat()}); nothing was "
        "changed, these are the figures evaluating then gives / niets gewijzigd: het peilmoment "
        "ligt voor de laatste evaluatie"
    )


@actions_app.command("notify")
def notify_command(
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Evaluate, queue digests and urgent messages (Teams, e-mail), and send what is due."""
    from stip.notify.cycle import run_cycle

    stip = load(db, existing=True)
    report = run_cycle(stip, _as_of(as_of, stip.settings.tz), dry_run=dry_run)
    if json_out:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for planned in report.planned:
            verb = "would queue" if dry_run else "queued"
            typer.echo(
                f"{verb} {planned['channel']} {planned['kind']} to "
                f"{planned['recipient']}: {planned['subject']}"
            )
        if not dry_run:
            typer.echo(
                f"{report.sent} sent, {report.retried} to retry, {report.failed} failed, "
                f"{report.deferred} deferred (rate limit), {report.cancelled} cancelled "
                "(items closed meanwhile)"
            )
    if not any(report.channels.values()):
        typer.echo(
            "note: no channel is configured, nothing is sent; set STIP_SMTP_HOST (e-mail) "
            "and/or STIP_TEAMS_WEBHOOK_URL (Teams)",
            err=True,
        )
    no_address = report.no_address_line()
    if no_address:
        typer.echo(f"warning: {no_address}", err=True)
    failed = report.failure_line()
    if failed:
        # exit 1 so cron (or whoever runs this) notices that mail or Teams is down
        raise UserError(failed)


def _transition(item_id: int, action: str, **kwargs: object) -> None:
    from stip.actions.items import item_store

    stip = load()
    store = item_store(stip.settings)
    now = datetime.now(UTC)
    method = getattr(store, action)
    item = method(item_id, at=now, actor=kwargs.pop("actor", "cli"), **kwargs)
    typer.echo(f"#{item.id} is now {item.status}")


@actions_app.command("done")
def done_command(item_id: int) -> None:
    """Mark an action item done."""
    _transition(item_id, "done")


@actions_app.command("dismiss")
def dismiss_command(
    item_id: int, reason: Annotated[str, typer.Option("--reason", help="Why no action is needed.")]
) -> None:
    """Dismiss an action item, with the reason why no action is needed."""
    _transition(item_id, "dismiss", reason=reason)


@actions_app.command("meeting")
def meeting_command(
    team: Annotated[int, typer.Option("--team", help="Team (department) id.")],
    as_of: AsOfOption = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the agenda PDF here.")] = None,
    mail: Annotated[bool, typer.Option("--mail", help="E-mail the PDF to the team lead.")] = False,
    lang: LangOption = "nl",
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The weekly team-meeting agenda for a team lead (page, PDF, e-mail)."""
    from stip.actions.meeting import build_agenda
    from stip.actions.meeting_pdf import agenda_pdf
    from stip.notify.meeting_mail import mail_agenda

    check_lang(lang)
    stip = load(db, existing=True)
    when = _as_of(as_of, stip.settings.tz)
    agenda = build_agenda(stip, team, when)
    if pdf is not None:
        pdf.write_bytes(agenda_pdf(agenda, lang))
        typer.echo(f"wrote {pdf}")
    if mail:
        typer.echo(mail_agenda(stip, team, when))
    if json_out:
        typer.echo(json.dumps(agenda.as_dict(), indent=2, ensure_ascii=False, default=str))
    elif pdf is None and not mail:
        typer.echo(agenda.as_text(lang))


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.add_typer(actions_app, name="actions")
