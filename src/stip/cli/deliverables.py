"""`stip deliverables` commands: each agreement's deliverables met or missed per month (show)
and a check of the deliverables file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from stip.cli.kpi import fmt, kpi_engine
from stip.cli.options import (
    AsOfOption,
    DbOption,
    JsonOption,
    LangOption,
    check_lang,
    definition_file,
    load,
    rich_console,
)
from stip.errors import UserError, suggest

if TYPE_CHECKING:
    from stip.deliverables.scorecard import Month

deliverables_app = typer.Typer(
    help="Deliverables: the KPIs agreed in fixed-price contracts, met or missed per month.",
    no_args_is_help=True,
)
FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="Deliverables file (default: $STIP_HOME/deliverables.yaml)."),
]
COLOURS = {"met": "green", "missed": "red", "no_data": "dim", "outside": "dim"}
MARKS = {"met": "✓", "missed": "✗"}


def register(app: typer.Typer) -> None:
    app.add_typer(deliverables_app, name="deliverables")


def _path(file: Path | None, home: Path) -> Path:
    from stip.deliverables.loader import deliverables_file

    return definition_file(file, deliverables_file(home), "deliverables", "docs/deliverables.md")


@deliverables_app.command("show")
def show(
    as_of: AsOfOption = None,
    json_out: JsonOption = False,
    file: FileOption = None,
    db: DbOption = None,
) -> None:
    """Every agreement's deliverables per month: the value, met (✓) or missed (✗)."""
    from stip.deliverables.loader import load_deliverables
    from stip.deliverables.scorecard import scorecards

    engine = kpi_engine(db)
    spec = load_deliverables(_path(file, engine.settings.home), engine.catalog)
    cards = scorecards(engine, spec, engine.as_of(as_of))
    if json_out:
        typer.echo(json.dumps(cards.to_json(), ensure_ascii=False, indent=2))
        return
    console = rich_console()
    for card in cards.cards:
        a = card.agreement
        who = card.name or f"unknown {a.subject} #{a.subject_id}"
        title = f"{a.title.en} — {who}" + (f" ({a.contract})" if a.contract else "")
        table = Table(title=title)
        table.add_column("month", no_wrap=True)
        for line in card.lines:
            sign = "≥" if line.kpi.direction.value == "higher_better" else "≤"
            name = (line.deliverable.title or line.kpi.name).en
            table.add_column(f"{name} ({sign} {fmt(line.target)} {line.kpi.unit})", justify="right")
        if a.fee is not None:
            table.add_column("credit / bonus, EUR", justify="right")
        for i, total in enumerate(card.totals):
            month = f"{total.period.start_date:%Y-%m}" + ("" if total.final else " so far")
            cells = [_cell(line.months[i], line.target) for line in card.lines]
            if a.fee is not None:
                cells.append(Text("" if total.amount is None else fmt(total.amount)))
            table.add_row(month, *cells)
        console.print(table)
        data = card.to_json()
        typer.echo(
            f"{data['months_met']} of {data['months_judged']} ended months with every "
            "deliverable met"
            + (f"; credit and bonus: {fmt(data['amount'])} EUR" if a.fee is not None else "")
        )


def _cell(month: Month, target: float) -> Text:
    if month.status == "outside":
        return Text("")
    if month.status == "no_data":
        return Text("no data", style=COLOURS[month.status])
    shown = fmt(month.value)
    if month.status == "missed" and shown == fmt(target):  # 4.004 against 4: not "4.00 ✗"
        shown = f"{month.value:,.6g}"
    return Text(f"{shown} {MARKS[month.status]}", style=COLOURS[month.status])


@deliverables_app.command("report")
def report(
    agreement: Annotated[str, typer.Argument(help="The agreement's id in the file.")],
    out: Annotated[Path, typer.Option("--out", help="Write the PDF here.")],
    lang: LangOption = "nl",
    as_of: AsOfOption = None,
    file: FileOption = None,
    db: DbOption = None,
) -> None:
    """One agreement's ended months as a PDF for the client (as the page's report link)."""
    from stip.deliverables.loader import load_deliverables
    from stip.deliverables.scorecard import scorecards
    from stip.web.deliverables_report import agreement_pdf
    from stip.web.formatting import when

    check_lang(lang)
    engine = kpi_engine(db)
    spec = load_deliverables(_path(file, engine.settings.home), engine.catalog)
    if agreement not in spec.agreements:
        close = suggest(agreement, spec.agreements)
        known = ", ".join(spec.agreements)
        raise UserError(
            f"no agreement '{agreement}' in the deliverables file.{close} Known: {known}"
        )
    cards = scorecards(engine, spec, engine.as_of(as_of))
    data = next(c for c in cards.cards if c.id == agreement).to_json()
    out.write_bytes(agreement_pdf(data, when(cards.as_of, engine.settings.tz, lang), lang))
    typer.echo(f"wrote {out}")


@deliverables_app.command("validate")
def validate(
    file: Annotated[
        Path | None,
        typer.Argument(help="Deliverables file (default: $STIP_HOME/deliverables.yaml)."),
    ] = None,
) -> None:
    """Check a deliverables file against the KPI catalogue; exit 1 with file:line if wrong."""
    from stip.deliverables.loader import load_deliverables
    from stip.semantic.catalog import load_catalog

    home = load().settings.home
    spec = load_deliverables(_path(file, home), load_catalog(home=home))
    count = sum(len(a.deliverables) for a in spec.agreements.values())
    typer.echo(f"{len(spec.agreements)} agreements, {count} deliverables OK")
